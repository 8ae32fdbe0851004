using System.Threading.Channels;
using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Silo.Diagnostics;
using RabbitMQ.Client;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// Packs published batches into messages of up to <see cref="RabbitMqOptions.TicksPerMessage"/> ticks per
/// partition and publishes them with confirms on one channel, in rounds of up to
/// <see cref="RabbitMqOptions.MaxUnconfirmedMessages"/>. A batch's task completes when every message
/// carrying its ticks is confirmed; failed messages are retried in order, so callers simply wait while
/// the broker is down (bounded by <see cref="RabbitMqOptions.MaxBufferedTicks"/>).
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
    private readonly Lock gate = new();
    private readonly Queue<PendingTickBatch>[] pending;
    private readonly Queue<OutgoingTickMessage>[] retry;
    private readonly Channel<bool> signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource stopping = new();
    private readonly Task loop;
    private IChannel? channel;
    private bool declared;
    private long pendingTicks;

    public TickPublisher(RabbitMqConnection connection, int partitionCount, RabbitMqStatistics statistics, ILogger logger, TimeProvider time)
    {
        this.connection = connection;
        options = connection.Options;
        this.statistics = statistics;
        this.logger = logger;
        this.time = time;
        budget = new TickBudget(options.MaxBufferedTicks);
        pending = [.. Enumerable.Range(0, partitionCount).Select(_ => new Queue<PendingTickBatch>())];
        retry = [.. Enumerable.Range(0, partitionCount).Select(_ => new Queue<OutgoingTickMessage>())];
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
        lock (gate)
        {
            pending[PartitionMap.PartitionOf(batch.Instrument, pending.Length)].Enqueue(item);
            pendingTicks += batch.Ticks.Length;
        }

        signal.Writer.TryWrite(true);

        // Once queued the ticks will be published; cancelling only stops this caller waiting for the confirm.
        await item.Confirmed.Task.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await loop;
        lock (gate)
        {
            foreach (var item in pending.SelectMany(q => q).Concat(retry.SelectMany(q => q).SelectMany(m => m.Parts)))
            {
                item.Confirmed.TrySetException(new ObjectDisposedException(nameof(TickPublisher), "The tick stream was disposed before these ticks were confirmed."));
            }
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
                if (options.PublishFlushInterval > TimeSpan.Zero && Volatile.Read(ref pendingTicks) < options.TicksPerMessage)
                {
                    await Task.Delay(options.PublishFlushInterval, time, cancellationToken);
                }

                while (TakeRound() is { Count: > 0 } round)
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

    /// <summary>Takes up to one round of messages, one per partition in turn, retries of a partition before its new ticks.</summary>
    private List<OutgoingTickMessage> TakeRound()
    {
        var round = new List<OutgoingTickMessage>();
        var builds = new List<(int Partition, List<TickBatch> Runs, PendingTickBatch[] Parts)>();
        lock (gate)
        {
            for (var progress = true; progress && round.Count + builds.Count < options.MaxUnconfirmedMessages;)
            {
                progress = false;
                for (var p = 0; p < pending.Length && round.Count + builds.Count < options.MaxUnconfirmedMessages; p++)
                {
                    if (retry[p].TryDequeue(out var again))
                    {
                        round.Add(again);
                        progress = true;
                    }
                    else if (pending[p].Count > 0)
                    {
                        builds.Add(Build(p));
                        progress = true;
                    }
                }
            }
        }

        // Encoding happens outside the lock so publishers are not held up; a round's retries and new
        // messages of one partition never mix, so appending keeps each partition's order.
        round.AddRange(builds.Select(b => new OutgoingTickMessage(b.Partition, TickCodec.Encode(b.Runs, options.TickMessageVersion), b.Parts)));
        return round;
    }

    private (int, List<TickBatch>, PendingTickBatch[]) Build(int partition)
    {
        var runs = new List<TickBatch>();
        var parts = new List<PendingTickBatch>();
        var ticks = 0;
        while (ticks < options.TicksPerMessage && pending[partition].TryPeek(out var item))
        {
            var take = Math.Min(options.TicksPerMessage - ticks, item.Batch.Ticks.Length - item.Offset);
            runs.Add(new TickBatch(item.Batch.Instrument, item.Batch.Ticks.Slice(item.Offset, take)));
            parts.Add(item);
            item.Offset += take;
            ticks += take;
            if (item.Offset == item.Batch.Ticks.Length)
            {
                pending[partition].Dequeue();
            }
            else
            {
                item.OpenParts++;
            }
        }

        pendingTicks -= ticks;
        return (partition, runs, [.. parts]);
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
            Requeue(failed);
        }

        return failure;
    }

    // REVIEW: a message nacked while a later one of its partition was confirmed is retried after it; only a
    // broker-side nack (not a lost connection, which fails every later message too) can cause that.
    private void Requeue(List<OutgoingTickMessage> failed)
    {
        lock (gate)
        {
            foreach (var group in failed.GroupBy(m => m.Partition))
            {
                var rest = retry[group.Key].ToArray();
                retry[group.Key] = new Queue<OutgoingTickMessage>(group.Concat(rest));
            }
        }

        signal.Writer.TryWrite(true);
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
            await TickTopology.DeclareAsync(channel, connection.Names, pending.Length, cancellationToken);
            declared = true;
        }

        return channel;
    }
}
