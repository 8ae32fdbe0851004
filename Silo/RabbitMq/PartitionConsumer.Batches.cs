using PriceActors.Grains;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// How a partition's batches reach the handler: one batch per instrument at a time, in delivery order;
/// what arrives for an instrument meanwhile waits and goes over merged into one batch when the one
/// before it is handled, so under load a pair actor takes every tick that came during one group
/// commit in its next turn instead of one message's worth. Each batch is retried until it is handled.
/// </summary>
internal sealed partial class PartitionConsumer
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    private static readonly Task<bool> Handled = Task.FromResult(true);

    private readonly Dictionary<InstrumentKey, PairLane> lanes = [];

    private static async Task<bool> AllAsync(Task<bool>[] handled)
    {
        var all = true;
        foreach (var batch in handled)
        {
            all &= await batch;
        }

        return all;
    }

    /// <summary>Queues the batch behind its instrument's; the task says whether it was handled (true) or given up.</summary>
    private Task<bool> HandleInOrder(TickBatch batch, long session)
    {
        var waiting = new WaitingBatch(batch, session);
        PairLane lane;
        lock (lanes)
        {
            if (!lanes.TryGetValue(batch.Instrument, out lane!))
            {
                if (lanes.Count >= 4096)
                {
                    foreach (var idle in lanes.Where(l => !l.Value.Busy).Select(l => l.Key).ToList())
                    {
                        lanes.Remove(idle);
                    }
                }

                lanes[batch.Instrument] = lane = new PairLane();
            }

            lane.Waiting.Enqueue(waiting);
            if (lane.Busy)
            {
                return waiting.Done.Task;
            }

            lane.Busy = true;
        }

        _ = PumpAsync(lane);
        return waiting.Done.Task;
    }

    /// <summary>
    /// Hands the instrument's waiting batches over, merged, one turn at a time, until none waits. A group
    /// is handed over only once the one before it is handled: a batch queued in a pair actor's mailbox
    /// behind a failed one would be refused (the pair refuses batches after a store failure), but one
    /// handed over after the failed activation ended would reach a fresh activation and be accepted
    /// first, and the retried earlier ticks would then look like duplicates.
    /// </summary>
    private async Task PumpAsync(PairLane lane)
    {
        while (true)
        {
            List<WaitingBatch> group;
            lock (lanes)
            {
                if (lane.Waiting.Count == 0)
                {
                    lane.Busy = false;
                    return;
                }

                // Only batches of one channel session go together: a lost session's deliveries come again.
                var session = lane.Waiting.Peek().Session;
                group = [];
                while (lane.Waiting.TryPeek(out var next) && next.Session == session)
                {
                    group.Add(lane.Waiting.Dequeue());
                }
            }

            // Not cancelled when the consumer stops: the release that follows waits for the batches in flight
            // and acks them, where a cancelled batch would be redelivered to the next owner and written again.
            var handled = !released.IsCancellationRequested
                && await RetryAsync(() => handler(Merge(group), CancellationToken.None), "handling a batch", group[0].Session);
            if (!handled)
            {
                // Nothing later of this instrument and session may be handled before these.
                lock (lanes)
                {
                    while (lane.Waiting.TryPeek(out var next) && next.Session == group[0].Session)
                    {
                        group.Add(lane.Waiting.Dequeue());
                    }
                }
            }

            foreach (var batch in group)
            {
                batch.Done.TrySetResult(handled);
            }
        }
    }

    private static TickBatch Merge(List<WaitingBatch> group)
    {
        if (group.Count == 1)
        {
            return group[0].Batch;
        }

        var ticks = new Tick[group.Sum(b => b.Batch.Ticks.Length)];
        var at = 0;
        foreach (var batch in group)
        {
            batch.Batch.Ticks.Span.CopyTo(ticks.AsSpan(at));
            at += batch.Batch.Ticks.Length;
        }

        return new TickBatch(group[0].Batch.Instrument, ticks);
    }

    /// <summary>
    /// Runs <paramref name="work"/> until it succeeds; false when the partition is released, the consumer
    /// stops, or the delivery's channel session is lost first. Never throws.
    /// </summary>
    private async Task<bool> RetryAsync(Func<ValueTask> work, string what, long session)
    {
        var delay = FirstRetryDelay;
        while (true)
        {
            try
            {
                await work();
                return true;
            }
            catch (OperationCanceledException) when (released.IsCancellationRequested || stopping.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception e)
            {
                if (channel is not { IsOpen: true } || session != Volatile.Read(ref generation))
                {
                    // The delivery died with its channel session: it cannot be acked and the broker hands it
                    // to the next owner. Returning also frees the dispatcher, which closing the connection waits for.
                    return false;
                }

                RabbitMqLog.PartitionWorkFailed(logger, e, partition, what, delay);
                try
                {
                    await Task.Delay(delay, time, released.Token);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>One instrument's batches: the one with the handler (<see cref="Busy"/>) and those waiting behind it.</summary>
    private sealed class PairLane
    {
        public bool Busy { get; set; }

        public Queue<WaitingBatch> Waiting { get; } = new();
    }

    private sealed record WaitingBatch(TickBatch Batch, long Session)
    {
        public TaskCompletionSource<bool> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
