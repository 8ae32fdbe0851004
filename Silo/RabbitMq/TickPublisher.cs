using System.Threading.Channels;
using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Silo.Diagnostics;
using RabbitMQ.Client;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// Packs published batches into messages of up to <see cref="RabbitMqOptions.TicksPerMessage"/> ticks per
/// partition and publishes them with confirms on one channel, in rounds of up to
/// <see cref="RabbitMqOptions.MaxUnconfirmedMessages"/> (<see cref="TickRounds"/>). A batch's task completes when
/// every message carrying its ticks is confirmed; failed messages are retried ahead of their instruments' later
/// ticks, so callers simply wait while the broker is down (bounded by <see cref="RabbitMqOptions.MaxBufferedTicks"/>).
/// </summary>
internal sealed class TickPublisher : IAsyncDisposable
{
    // A confirm that never comes (a connection lost in a way the client does not report) must not stall the loop.
    private static readonly TimeSpan ConfirmTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly RabbitMqConnection connection;
    private readonly RabbitMqOptions options;
    private readonly RabbitMqStatistics statistics;
    private readonly ILogger logger;
    private readonly TimeProvider time;
    private readonly TickBudget budget;
    private readonly TickRounds rounds;
    private readonly Action<PendingTickBatch> completed;
    private readonly Channel<bool> signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loop;
    private IChannel? channel;
    private bool declared;

    public TickPublisher(RabbitMqConnection connection, int partitionCount, RabbitMqStatistics statistics, ILogger logger, TimeProvider time)
    {
        this.connection = connection;
        options = connection.Options;
        this.statistics = statistics;
        this.logger = logger;
        this.time = time;
        budget = new TickBudget(options.MaxBufferedTicks);
        completed = Completed;
        rounds = new TickRounds(partitionCount, options.TicksPerMessage, options.MaxUnconfirmedMessages);
        loop = Task.Run(() => RunAsync(stopping.Token));
    }

    public async ValueTask PublishAsync(TickBatch batch, CancellationToken cancellationToken)
    {
        if (batch.Ticks.IsEmpty)
        {
            return;
        }

        ObjectDisposedException.ThrowIf(stopping.IsCancellationRequested, this);
        await budget.AcquireAsync(batch.Ticks.Length, cancellationToken);
        Interlocked.Add(ref statistics.TicksBuffered, batch.Ticks.Length);
        var item = new PendingTickBatch(batch);
        rounds.Add(item);
        signal.Writer.TryWrite(true);

        // Once queued the ticks will be published; cancelling only stops this caller waiting for the confirm.
        await item.Confirmed.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await loop;
        rounds.FailAll(new ObjectDisposedException(nameof(TickPublisher), "The tick stream was disposed before these ticks were confirmed."));

        if (channel is not null)
        {
            await channel.DisposeAsync();
        }

        stopping.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        try
        {
            while (await signal.Reader.WaitToReadAsync(cancellationToken))
            {
                signal.Reader.TryRead(out _);
                if (options.PublishFlushInterval > TimeSpan.Zero && rounds.PendingTicks < options.TicksPerMessage)
                {
                    await Task.Delay(options.PublishFlushInterval, time, cancellationToken);
                }

                while (rounds.Take(options.TickMessageVersion) is { Count: > 0 } round)
                {
                    var failure = await PublishRoundAsync(round, cancellationToken);
                    if (failure is null)
                    {
                        delay = FirstRetryDelay;
                        continue;
                    }

                    RabbitMqLog.TickPublishFailed(logger, round.Count, delay, failure);
                    await Task.Delay(delay, time, cancellationToken);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.NetworkRecoveryInterval.Ticks));
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed: DisposeAsync fails what is left.
        }
        catch (Exception e)
        {
            RabbitMqLog.TickPublisherCrashed(logger, e);
            throw;
        }
    }

    /// <summary>Publishes a round and waits for its confirms; returns why some failed (they are queued again), or null.</summary>
    private async Task<string?> PublishRoundAsync(List<OutgoingTickMessage> round, CancellationToken cancellationToken)
    {
        var confirms = new Task[round.Count];
        var started = time.GetTimestamp();
        try
        {
            var open = await OpenChannelAsync(cancellationToken);
            for (var i = 0; i < round.Count; i++)
            {
                try
                {
                    var properties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent };
                    confirms[i] = open.BasicPublishAsync(string.Empty, connection.Names.TickQueue(round[i].Partition), mandatory: true, properties, round[i].Body, cancellationToken).AsTask();
                }
                catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    confirms[i] = Task.FromException(e);
                }
            }

            await Task.WhenAll(confirms).WaitAsync(ConfirmTimeout, time, cancellationToken);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // Sorted out per message below.
        }

        cancellationToken.ThrowIfCancellationRequested();
        PipelineMetrics.PublishRoundDuration.Record(time.GetElapsedTime(started).TotalMilliseconds);
        string? failure = null;
        var failed = new List<OutgoingTickMessage>();
        for (var i = 0; i < round.Count; i++)
        {
            if (confirms[i] is { IsCompletedSuccessfully: true })
            {
                Complete(round[i]);
            }
            else
            {
                failure ??= confirms[i]?.Exception?.GetBaseException().Message ?? "no confirm in time or no channel";
                failed.Add(round[i]);
            }
        }

        if (failed.Count > 0)
        {
            Interlocked.Add(ref statistics.TickPublishFailures, failed.Count);
            rounds.Requeue(failed);
            signal.Writer.TryWrite(true);
        }

        return failure;
    }

    private void Complete(OutgoingTickMessage message)
    {
        Interlocked.Increment(ref statistics.TickMessagesConfirmed);
        TickRounds.Confirm(message, completed);
    }

    private void Completed(PendingTickBatch item)
    {
        var ticks = item.Batch.Ticks.Length;
        budget.Release(ticks);
        Interlocked.Add(ref statistics.TicksBuffered, -ticks);
        Interlocked.Increment(ref statistics.BatchesPublished);
        Interlocked.Add(ref statistics.TicksPublished, ticks);
        item.Confirmed.TrySetResult();
    }

    private async Task<IChannel> OpenChannelAsync(CancellationToken cancellationToken)
    {
        if (channel is { IsOpen: true })
        {
            return channel;
        }

        var open = await connection.GetAsync(cancellationToken);
        if (channel is not null && !open.IsOpen)
        {
            throw new InvalidOperationException("the connection is down; the client is recovering it");
        }

        if (channel is not null)
        {
            // Closed by the broker while the connection stayed up (a channel error): recovery will not reopen it.
            await channel.DisposeAsync();
            channel = null;
        }

        // Confirms tracked by the client, no rate limiter: the documented ThrottlingRateLimiter(128)
        // collapses throughput once more than 64 confirms are outstanding (RABBITMQ-NOTES.md).
        channel = await open.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true, outstandingPublisherConfirmationsRateLimiter: null, consumerDispatchConcurrency: null), cancellationToken);
        if (!declared)
        {
            await TickTopology.DeclareAsync(channel, connection.Names, rounds.PartitionCount, cancellationToken);
            declared = true;
        }

        return channel;
    }
}
