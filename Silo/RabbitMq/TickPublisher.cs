using System.Collections.Concurrent;
using System.Threading.Channels;
using PriceActors.Grains;
using PriceActors.Silo.Diagnostics;
using RabbitMQ.Client;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// Packs published batches into messages of up to <see cref="RabbitMqOptions.TicksPerMessage"/> ticks per
/// partition and publishes them with confirms on one channel, keeping up to
/// <see cref="RabbitMqOptions.MaxUnconfirmedMessages"/> unconfirmed: a message goes out as soon as its ticks are
/// packed, without waiting for the confirms of those before it. A batch's task completes when every message
/// carrying its ticks is confirmed. After a failure nothing new goes out until every message in flight is settled;
/// the failed ones are then published again, each partition's in their order, so callers simply wait while the
/// broker is down (bounded by <see cref="RabbitMqOptions.MaxBufferedTicks"/>).
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
    private readonly TickOutbox outbox;
    private readonly int partitionCount;
    private readonly Channel<bool> signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly ConcurrentQueue<(long Sequence, Exception? Error)> settled = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loop;

    // The loop's own: messages published and not settled by publish order, and the failed ones not yet requeued.
    private readonly SortedDictionary<long, (OutgoingTickMessage Message, long Published)> inFlight = [];
    private readonly SortedDictionary<long, OutgoingTickMessage> failed = [];
    private string? failure;
    private long nextSequence;
    private IChannel? channel;
    private bool declared;

    public TickPublisher(RabbitMqConnection connection, int partitionCount, RabbitMqStatistics statistics, ILogger logger, TimeProvider time)
    {
        this.connection = connection;
        options = connection.Options;
        this.statistics = statistics;
        this.logger = logger;
        this.time = time;
        this.partitionCount = partitionCount;
        budget = new TickBudget(options.MaxBufferedTicks);
        outbox = new TickOutbox(partitionCount, options, time);
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
        outbox.Add(item);
        signal.Writer.TryWrite(true);

        // Once queued the ticks will be published; cancelling only stops this caller waiting for the confirm.
        await item.Confirmed.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await loop;
        var disposed = new ObjectDisposedException(nameof(TickPublisher), "The tick stream was disposed before these ticks were confirmed.");
        foreach (var item in outbox.Held().Concat(inFlight.Values.Select(f => f.Message).Concat(failed.Values).SelectMany(m => m.Parts)))
        {
            item.Confirmed.TrySetException(disposed);
        }

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
                if (Settle() && failed.Count == 0)
                {
                    delay = FirstRetryDelay;
                }

                if (failed.Count > 0)
                {
                    if (inFlight.Count > 0)
                    {
                        // The rest of the window settles first, so each partition's failed messages go out again in order.
                        continue;
                    }

                    RabbitMqLog.TickPublishFailed(logger, failed.Count, delay, failure ?? "unknown");
                    Interlocked.Add(ref statistics.TickPublishFailures, failed.Count);
                    outbox.Requeue(failed.Values);
                    failed.Clear();
                    failure = null;
                    await Task.Delay(delay, time, cancellationToken);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.NetworkRecoveryInterval.Ticks));
                }

                await PublishWhatFitsAsync(cancellationToken);
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

    private async Task PublishWhatFitsAsync(CancellationToken cancellationToken)
    {
        if (inFlight.Count >= options.MaxUnconfirmedMessages)
        {
            return;
        }

        if (options.PublishFlushInterval > TimeSpan.Zero && outbox.FlushDelay(options.PublishFlushInterval) is { } wait && wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time, cancellationToken);

            // What settled meanwhile may be a failure: then nothing new goes out before the retries.
            Settle();
            if (failed.Count > 0)
            {
                signal.Writer.TryWrite(true);
                return;
            }
        }

        var messages = outbox.Take(options.MaxUnconfirmedMessages - inFlight.Count);
        if (messages.Count == 0)
        {
            return;
        }

        IChannel? open = null;
        Exception? unavailable = null;
        try
        {
            open = await OpenChannelAsync(cancellationToken);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            unavailable = e;
        }

        foreach (var message in messages)
        {
            var sequence = nextSequence++;
            inFlight.Add(sequence, (message, time.GetTimestamp()));
            Task confirm;
            try
            {
                var properties = new BasicProperties { DeliveryMode = DeliveryModes.Persistent };
                confirm = open is null
                    ? Task.FromException(unavailable!)
                    : open.BasicPublishAsync(string.Empty, connection.Names.TickQueue(message.Partition), mandatory: true, properties, message.Body, cancellationToken).AsTask();
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                confirm = Task.FromException(e);
            }

            _ = confirm.WaitAsync(ConfirmTimeout, time).ContinueWith(
                static (done, state) => ((TickPublisher)((object[])state!)[0]).OnSettled((long)((object[])state!)[1], done),
                new object[] { this, sequence },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    private void OnSettled(long sequence, Task confirm)
    {
        settled.Enqueue((sequence, confirm.IsCompletedSuccessfully ? null : confirm.Exception?.GetBaseException() ?? new OperationCanceledException("the publish was cancelled")));
        signal.Writer.TryWrite(true);
    }

    /// <summary>Completes the batches of confirmed messages and sets failed ones aside; true when any was confirmed.</summary>
    private bool Settle()
    {
        var confirmed = false;
        while (settled.TryDequeue(out var outcome))
        {
            if (!inFlight.Remove(outcome.Sequence, out var entry))
            {
                continue;
            }

            if (outcome.Error is null)
            {
                PipelineMetrics.PublishConfirmDuration.Record(time.GetElapsedTime(entry.Published).TotalMilliseconds);
                Complete(entry.Message);
                confirmed = true;
            }
            else
            {
                // REVIEW: a message nacked while a later one of its partition is confirmed is published again after
                // it. A lost channel fails every message after the first failed one (and a new channel opens only once
                // nothing is in flight), so only a broker-side nack could do that; these queues set no overflow limit.
                failure ??= outcome.Error is TimeoutException ? "no confirm in time" : outcome.Error.Message;
                failed.Add(outcome.Sequence, entry.Message);
            }
        }

        return confirmed;
    }

    private void Complete(OutgoingTickMessage message)
    {
        Interlocked.Increment(ref statistics.TickMessagesConfirmed);
        foreach (var item in message.Parts)
        {
            if (--item.OpenParts == 0)
            {
                var ticks = item.Batch.Ticks.Length;
                budget.Release(ticks);
                Interlocked.Add(ref statistics.TicksBuffered, -ticks);
                Interlocked.Increment(ref statistics.BatchesPublished);
                Interlocked.Add(ref statistics.TicksPublished, ticks);
                item.Confirmed.TrySetResult();
            }
        }
    }

    private async Task<IChannel> OpenChannelAsync(CancellationToken cancellationToken)
    {
        if (channel is { IsOpen: true })
        {
            return channel;
        }

        if (inFlight.Count > 0)
        {
            // Messages still in flight on the closed channel may yet fail; a new channel now could confirm a later
            // message of their partition first.
            throw new InvalidOperationException("the channel closed with messages in flight");
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
            await TickTopology.DeclareAsync(channel, connection.Names, partitionCount, cancellationToken);
            declared = true;
        }

        return channel;
    }
}
