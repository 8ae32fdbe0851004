using PriceActors.Grains;
using PriceActors.Grains.Streams;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// How a partition's batches reach the handler: per instrument, in delivery order, pipelined. A batch
/// is handed over once the instrument's previous one is taken (<see cref="PipelinedTickHandler"/>), so
/// a pair actor sees new ticks while the previous ones commit; up to <see cref="RabbitMqOptions.BatchesInFlightPerInstrument"/>
/// are taken and not yet handled, and what arrives meanwhile waits and goes over merged into one batch.
/// When a taken batch fails, every later one taken fails too (the handler chains them); the lane lets
/// them all settle and hands them over again, one at a time, each handled before the next, retrying
/// until it is handled or the partition is released.
/// </summary>
internal sealed partial class PartitionConsumer
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);
    private static readonly Task<bool> Handled = Task.FromResult(true);

    private readonly Dictionary<InstrumentKey, PairLane> lanes = [];

    private static void Complete(List<WaitingBatch>? batches, bool handled) => batches?.ForEach(b => b.Settle(handled));

    /// <summary>Queues the batch behind its instrument's; its <paramref name="message"/> learns whether it was handled or given up.</summary>
    private void HandleInOrder(TickBatch batch, long session, MessageBatches message)
    {
        var waiting = new WaitingBatch(batch, session, message);
        PairLane lane;
        lock (lanes)
        {
            if (!lanes.TryGetValue(batch.Instrument, out lane!))
            {
                if (lanes.Count >= 4096)
                {
                    // A lane with batches taken stays: the next ones must follow them, and go again after them if they fail.
                    foreach (var idle in lanes.Where(l => l.Value is { Busy: false, Taken.Count: 0 }).Select(l => l.Key).ToList())
                    {
                        lanes.Remove(idle);
                    }
                }

                lanes[batch.Instrument] = lane = new PairLane();
            }

            lane.Waiting.Enqueue(waiting);
            if (lane.Busy || lane.Taken.Count >= connection.Options.BatchesInFlightPerInstrument)
            {
                // A pump runs, or the oldest group taken restarts one once it is handled (ResolveAsync).
                return;
            }

            lane.Busy = true;
        }

        _ = PumpAsync(lane);
    }

    /// <summary>
    /// Hands the instrument's waiting batches over, merged, one group per turn, while fewer than
    /// <see cref="RabbitMqOptions.BatchesInFlightPerInstrument"/> are taken and unhandled; ends when none waits or
    /// as many are taken (the groups taken complete on their own, and the oldest restarts the pump once it is
    /// handled, see <see cref="ResolveAsync"/>: the pump does not wait for it, which would be a second work item per
    /// batch on the same task), and first hands the failed ones over again.
    /// </summary>
    private async Task PumpAsync(PairLane lane)
    {
        while (true)
        {
            List<WaitingBatch>? group = null, handled = null;
            var (recover, after) = (false, Task.CompletedTask);
            lock (lanes)
            {
                handled = lane.DequeueHandled();
                if (lane.Failed)
                {
                    recover = true;
                }
                else if (lane.Waiting.Count == 0 || lane.Taken.Count >= connection.Options.BatchesInFlightPerInstrument)
                {
                    lane.Busy = false;
                }
                else
                {
                    // Only batches of one channel session go together: a lost session's deliveries come again.
                    var session = lane.Waiting.Peek().Session;
                    group = [];
                    while (lane.Waiting.TryPeek(out var next) && next.Session == session)
                    {
                        group.Add(lane.Waiting.Dequeue());
                    }

                    after = lane.After;
                }
            }

            Complete(handled, true);
            if (recover)
            {
                await RecoverAsync(lane);
            }
            else if (group is null)
            {
                return;
            }
            else if (released.IsCancellationRequested)
            {
                // Not handed over: it goes to the next owner with the rest of its session.
                GiveUp(lane, group);
            }
            else
            {
                await TakeAsync(lane, group, after);
            }
        }
    }

    private async Task TakeAsync(PairLane lane, List<WaitingBatch> group, Task after)
    {
        Task handled;
        try
        {
            // Not cancelled when the consumer stops: the release that follows waits for the batches in flight
            // and acks them, where a cancelled batch would be redelivered to the next owner and written again.
            handled = await handler(Merge(group), after, CancellationToken.None);
        }
        catch (Exception e)
        {
            // Not taken (a refusal after a failure, an activation that failed): handed over again like a failed one.
            handled = Task.FromException(e);
        }

        var taken = new TakenGroup(group, handled);
        lock (lanes)
        {
            lane.Taken.Enqueue(taken);
            lane.After = handled;
        }

        _ = ResolveAsync(lane, taken);
    }

    /// <summary>
    /// Completes the lane's handled groups in order once this one settles, and restarts the pump when batches
    /// wait for room among those taken; a failure makes the lane recover.
    /// </summary>
    private async Task ResolveAsync(PairLane lane, TakenGroup taken)
    {
        await Settled(taken.Handled);
        List<WaitingBatch>? handled;
        var start = false;
        lock (lanes)
        {
            handled = lane.DequeueHandled();
            // Still taken: a recovery that ran meanwhile has dealt with it already.
            if (!taken.Handled.IsCompletedSuccessfully && !lane.Failed && lane.Taken.Contains(taken))
            {
                lane.Failed = true;
                lane.FirstError = taken.Handled.Exception?.InnerException;
                start = !lane.Busy;
                lane.Busy = true;
            }
            else if (!lane.Busy && lane.Waiting.Count > 0 && lane.Taken.Count < connection.Options.BatchesInFlightPerInstrument)
            {
                start = lane.Busy = true;
            }
        }

        Complete(handled, true);
        if (start)
        {
            _ = PumpAsync(lane);
        }
    }

    /// <summary>
    /// After a failure: waits until every taken group settled (the handler fails those after a failed one),
    /// then hands each group from the first failed one over again, each handled before the next.
    /// </summary>
    private async Task RecoverAsync(PairLane lane)
    {
        TakenGroup[] taken;
        lock (lanes)
        {
            taken = [.. lane.Taken];
        }

        foreach (var group in taken)
        {
            await Settled(group.Handled);
        }

        List<WaitingBatch>? handled;
        List<TakenGroup> again;
        Exception? error;
        lock (lanes)
        {
            handled = lane.DequeueHandled();
            again = [.. lane.Taken];
            lane.Taken.Clear();
            (lane.Failed, lane.After, error, lane.FirstError) = (false, Task.CompletedTask, lane.FirstError, null);
        }

        Complete(handled, true);
        if (error is not null && again.Count > 0)
        {
            RabbitMqLog.PartitionWorkFailed(logger, error, partition, "handling a batch", FirstRetryDelay);
        }

        for (var i = 0; i < again.Count; i++)
        {
            var group = again[i].Batches;
            var done = !released.IsCancellationRequested
                && await RetryAsync(async () => await await handler(Merge(group), Task.CompletedTask, CancellationToken.None), "handling a batch", group[0].Session);
            if (!done)
            {
                again.Skip(i + 1).ToList().ForEach(g => group.AddRange(g.Batches));
                GiveUp(lane, group);
                return;
            }

            Complete(group, true);
        }
    }

    /// <summary>Gives the group up, with every batch of its session still waiting: nothing later of it may be handled before them.</summary>
    private void GiveUp(PairLane lane, List<WaitingBatch> group)
    {
        lock (lanes)
        {
            while (lane.Waiting.TryPeek(out var next) && next.Session == group[0].Session)
            {
                group.Add(lane.Waiting.Dequeue());
            }
        }

        Complete(group, false);
    }

    private static async Task Settled(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
            // The caller reads the outcome from the task.
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

    /// <summary>
    /// One instrument's batches: those taken by the handler and not handled yet (<see cref="Taken"/>, in
    /// order), those waiting behind them, and whether a pump runs (<see cref="Busy"/>). Guarded by the lanes' lock.
    /// </summary>
    private sealed class PairLane
    {
        public bool Busy { get; set; }

        public Queue<WaitingBatch> Waiting { get; } = new();

        public Queue<TakenGroup> Taken { get; } = new();

        /// <summary>What the last group taken is handled with: the next one is handed over after it.</summary>
        public Task After { get; set; } = Task.CompletedTask;

        /// <summary>A taken group failed: the pump hands the taken groups over again before anything else.</summary>
        public bool Failed { get; set; }

        public Exception? FirstError { get; set; }

        /// <summary>Removes the taken groups handled, from the oldest up to the first one that is not.</summary>
        public List<WaitingBatch>? DequeueHandled()
        {
            List<WaitingBatch>? handled = null;
            while (Taken.TryPeek(out var oldest) && oldest.Handled.IsCompletedSuccessfully)
            {
                (handled ??= []).AddRange(Taken.Dequeue().Batches);
            }

            return handled;
        }
    }

    private sealed record TakenGroup(List<WaitingBatch> Batches, Task Handled);

    private sealed record WaitingBatch(TickBatch Batch, long Session, MessageBatches Message)
    {
        private int settled;

        /// <summary>Tells the message once, however often the batch is completed: its count must not go down twice for one batch.</summary>
        public void Settle(bool handled)
        {
            if (Interlocked.Exchange(ref settled, 1) == 0)
            {
                Message.Settle(handled);
            }
        }
    }

    /// <summary>
    /// A message's batches: <see cref="Done"/> completes when the last of them is handled or given up, true only
    /// if all were handled. One task per message, completed by its last batch (a task per batch, each awaited,
    /// cost a work item per batch).
    /// </summary>
    private sealed class MessageBatches(int count)
    {
        private readonly TaskCompletionSource<bool> done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int left = count;
        private int givenUp;

        public Task<bool> Done => done.Task;

        public void Settle(bool handled)
        {
            if (!handled)
            {
                Volatile.Write(ref givenUp, 1);
            }

            // The decrement is a full fence: the last batch sees every earlier give-up.
            if (Interlocked.Decrement(ref left) == 0)
            {
                done.TrySetResult(Volatile.Read(ref givenUp) == 0);
            }
        }
    }
}
