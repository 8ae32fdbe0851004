using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PriceActors.Grains.Storage;
using PriceActors.Grains.Streams;
using PriceActors.Runtime;
using DeactivationReason = PriceActors.Runtime.DeactivationReason;

namespace PriceActors.Grains.Pairs;

/// <summary>
/// The actor of one instrument. Trades come in batches; each accepted trade gets the next sequence
/// number and goes into the rolling window and the open minute bar. After each batch one
/// <see cref="PriceUpdated"/> is published and the trades go to the store: a pair has one append in flight, and
/// the trades it takes while that one commits wait in memory and go in the next, however many batches that is
/// (a turn posted when the append completes sends them), so how fast the database commits sets neither when the
/// updates leave nor how many appends there are. <see cref="RecordTicks"/> replies once its trades are durable;
/// <see cref="TakeTicks"/> (the cluster's consumer) replies at once with the task that completes when they are,
/// so the pair takes its next batch while this one commits. A bar is closed by the first trade of a later minute or by a timer shortly
/// after its minute ends, then saved and only then published. On activation the actor rebuilds
/// everything from the store, keeping its epoch and sequence.
/// <para>
/// The price update does not wait for the store, as a ticker plant publishes before its database has the
/// trades: in the cluster the trades are durable already, in the broker's replicated queue, which keeps
/// them (the reply, so the acknowledgement, waits for the append) until they are stored. If the append
/// fails (in its turn or after it), the activation refuses every batch after it and ends; a batch whose
/// predecessor's append failed is refused by any activation, and the store fails an append queued behind a
/// failed one. The next activation reloads what is stored and takes the redelivered trades
/// in the same order, giving them the same sequence numbers; it publishes the same (epoch, sequence)
/// again, and gateways drop an update that is not newer than the last one they passed on. The exception:
/// a trade redelivered only after the window moved past it (a store outage longer than the window) is
/// rejected then and logged, although its update went out.
/// </para>
/// </summary>
public sealed partial class PairActor(
    IMarketStore store,
    IUpdateStream updates,
    IOptions<PairActorOptions> options,
    ILogger<PairActor> logger) : Actor, IPairActor
{
    private readonly PairActorOptions settings = options.Value;
    private readonly List<MinuteBar> closedBars = [];

    // Buffers handed to the store with their appends; each is reused once its append completed.
    private readonly List<(SequencedTick[] Ticks, Task Durable)> handedOver = [];
    private SequencedTick[] pending = new SequencedTick[64];
    private int pendingCount;
    private InstrumentKey instrument;
    private TickWindow window = null!;
    private MinuteBarBuilder bar = null!;
    private long epoch;
    private long sequence;
    private long lastTradeId;
    private long lastClosedMinute = long.MinValue;
    private long timerMinute = long.MinValue;
    private PriceUpdated? latest;
    private IDisposable? barTimer;
    private Task appended = Task.CompletedTask;

    // Ticks taken while an append was in flight wait in `pending` for the next one (one append in flight per pair),
    // and this completes with it; null when nothing waits. The reply hands it out as those ticks' durable task.
    private TaskCompletionSource? held;
    private bool flushPosted;

    // What the last TakeTicks reply handed out as durable: the consumer's next batch names it as its `after`.
    private Task lastReplied = Task.CompletedTask;

    // 1 once a write failed; set by the end of a failed append too, which may come after the turn that queued it.
    private int failed;

    private int MaxClosedBars => (int)Math.Ceiling(settings.WindowLength.TotalMinutes);

    /// <inheritdoc/>
    public override async ValueTask OnActivateAsync(CancellationToken cancellationToken)
    {
        instrument = InstrumentKey.Parse(Key);
        window = new TickWindow(settings.WindowLength);
        bar = new MinuteBarBuilder(instrument);
        var now = Time.GetUtcNow();
        // From the start of the minute the window begins in, so that minute's bar is rebuilt whole.
        var since = new DateTimeOffset(MinuteBarBuilder.MinuteOf((now - settings.WindowLength).UtcTicks), TimeSpan.Zero);
        var history = await store.LoadAsync(instrument, since, cancellationToken);
        if (history is { Epoch: > 0 })
        {
            await RecoverAsync(history, since);
        }
        else
        {
            epoch = now.ToUnixTimeMilliseconds();
        }

        await CloseBarIfDueAsync();
        ScheduleBarClose();
    }

    /// <inheritdoc/>
    /// <remarks>Replies once the batch's trades, and those queued before them, are durable.</remarks>
    public async ValueTask<TicksRecorded> HandleAsync(RecordTicks request)
    {
        var taken = await TakeAsync(request.Ticks, Task.CompletedTask);
        if (held is not null)
        {
            // The caller waits in this turn, so nothing it waits for may need a later one.
            await FlushAsync();
            taken = taken with { Durable = appended };
        }

        await taken.Durable;
        return taken.Recorded;
    }

    /// <inheritdoc/>
    /// <remarks>Replies once the batch's append is queued; the next batch can be taken while it commits.</remarks>
    public ValueTask<TicksTaken> HandleAsync(TakeTicks request) => TakeAsync(request.Ticks, request.After);

    /// <inheritdoc/>
    public override async ValueTask OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Held ticks go to the store now; after a failure they are refused, and come back by redelivery.
        if (pendingCount > 0 && !AppendFailed())
        {
            try
            {
                await FlushAsync();
            }
            catch (Exception)
            {
                // Logged by StoreFailed; the held ticks' task failed with it.
            }
        }

        DropHeld();

        // The next activation loads from the store: it must find every append of this one settled.
        try
        {
            await appended;
        }
        catch (Exception)
        {
            // Logged when it failed; what it held comes back by redelivery.
        }
    }

    private async ValueTask<TicksTaken> TakeAsync(ReadOnlyMemory<Tick> ticks, Task after)
    {
        if (AppendFailed())
        {
            // Memory is ahead of the store: refuse, so the batch is not acknowledged and comes back
            // to the next activation, which reloads from the store.
            throw new InvalidOperationException($"Pair {instrument} is reloading after a store failure; the batch must be redelivered.");
        }

        if (after != lastReplied && after != appended && !after.IsCompleted)
        {
            // The consumer's previous batch went to an activation before this one: let its append settle. (What this
            // activation handed out last follows its appends' order already, and a held task would wait for this very turn.)
            try
            {
                await after;
            }
            catch (Exception)
            {
                // Refused below.
            }
        }

        if (after.IsFaulted || after.IsCanceled)
        {
            // Taking later trades first would make the earlier ones, handed over again, look like duplicates.
            throw new InvalidOperationException($"Pair {instrument}: the consumer's previous batch was not stored; this one must follow it again.");
        }

        int accepted = 0, duplicates = 0, rejected = 0, reopened = 0;
        EnsureCapacity(pendingCount + ticks.Length);
        for (var i = 0; i < ticks.Length; i++)
        {
            var tick = ticks.Span[i];
            if (tick.TradeId <= lastTradeId && tick.Instrument == instrument)
            {
                duplicates++;
                continue;
            }

            var time = tick.ExchangeTime.UtcTicks;
            var minute = MinuteBarBuilder.MinuteOf(time);
            if (minute == lastClosedMinute && tick.Instrument == instrument && bar.TryReopen(minute))
            {
                // The close timer ran before this trade of the closed minute was delivered: the bar takes it
                // and is saved and published again when it closes again (the store upserts by minute).
                lastClosedMinute = minute - TimeSpan.TicksPerMinute;
                reopened++;
            }

            if (tick.Instrument != instrument || minute <= lastClosedMinute || (bar.IsOpen && minute < bar.MinuteUtcTicks))
            {
                rejected++;
                continue;
            }

            if (bar.IsOpen && minute > bar.MinuteUtcTicks)
            {
                await CloseBarAsync();
            }

            Accept(tick, time, minute);
            accepted++;
        }

        if (rejected > 0)
        {
            LogRejected(instrument.Value, rejected, ticks.Length, lastClosedMinute);
        }

        if (reopened > 0)
        {
            LogReopened(instrument.Value, bar.MinuteUtcTicks);
        }

        if (pendingCount > 0)
        {
            // The update leaves before the append commits (see the class summary for why that is safe).
            latest = ToUpdate(pending[pendingCount - 1]);
            await updates.PublishAsync(latest);
            if (appended.IsCompleted)
            {
                await FlushAsync();
            }
            else
            {
                Hold();
            }

            window.Prune(window.NewestUtcTicks);
            ScheduleBarClose();
        }

        // The chain's end even when nothing was new: what the consumer acks after it must not pass a failure.
        lastReplied = held?.Task ?? appended;
        return new TicksTaken(new TicksRecorded(accepted, duplicates, rejected, sequence), lastReplied);
    }

    /// <summary>
    /// Keeps the pending ticks for the append after the one in flight, so a pair has one append in flight and
    /// what arrives during its commit goes in one more, however many batches that is. A turn queued when the
    /// append in flight completes sends them (<see cref="FlushHeldAsync"/>).
    /// </summary>
    private void Hold()
    {
        held ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (flushPosted)
        {
            return;
        }

        flushPosted = true;
        _ = appended.ContinueWith(
            static (_, state) =>
            {
                var actor = (PairActor)state!;
                actor.PostTurn(actor.FlushHeldAsync);
            },
            this,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async ValueTask FlushHeldAsync()
    {
        flushPosted = false;
        if (pendingCount == 0)
        {
            // Sent meanwhile, by a bar's close.
            return;
        }

        if (AppendFailed())
        {
            // The append before them failed: they are refused with it and come back by redelivery.
            DropHeld();
            return;
        }

        if (!appended.IsCompleted)
        {
            // A bar's close sent earlier ticks meanwhile: these wait for that append.
            Hold();
            return;
        }

        try
        {
            await FlushAsync();
        }
        catch (Exception)
        {
            // StoreFailed logged it and the held ticks' task failed; this activation ends.
        }
    }

    /// <summary>
    /// Whether a write of this activation failed. The end of a failed append continues on another thread and may not
    /// have run yet: without looking at the append itself, a batch handed over again after the failure could reach this
    /// activation first, whose memory has its trades, and count as duplicates, and held ticks would be queued behind it.
    /// </summary>
    private bool AppendFailed()
    {
        if (appended is { IsFaulted: true } or { IsCanceled: true })
        {
            StoreFailed(FailureOf(appended), sequence);
        }

        return Volatile.Read(ref failed) == 1;
    }

    /// <summary>Fails the held ticks' task and forgets them: they were not queued, so their messages are redelivered.</summary>
    private void DropHeld()
    {
        pendingCount = 0;
        held?.TrySetException(new InvalidOperationException($"Pair {instrument}: ticks held for the next append were not stored; they must be redelivered."));
        held = null;
    }

    /// <inheritdoc/>
    public ValueTask<PriceUpdated?> HandleAsync(GetLatestPrice request) => ValueTask.FromResult(latest);

    /// <inheritdoc/>
    public ValueTask<WindowStats> HandleAsync(GetWindowStats request)
    {
        if (request.To < request.From)
        {
            throw new ArgumentException($"The period ends ({request.To:O}) before it starts ({request.From:O}).", nameof(request));
        }

        var now = Time.GetUtcNow();
        window.Prune(now.UtcTicks);
        var from = request.From < now - settings.WindowLength ? now - settings.WindowLength : request.From;
        var aggregate = window.Aggregate(from.UtcTicks, request.To.UtcTicks);
        var any = aggregate.Count > 0;
        return ValueTask.FromResult(new WindowStats(
            instrument.Exchange,
            instrument.Symbol,
            from,
            request.To,
            aggregate.Count,
            any ? aggregate.High : null,
            any ? aggregate.Low : null,
            any ? aggregate.Average : null,
            any ? aggregate.Vwap : null,
            any ? aggregate.First : null,
            any ? aggregate.Last : null,
            aggregate.Volume));
    }

    /// <inheritdoc/>
    public ValueTask<MinuteBarHistory> HandleAsync(GetMinuteBars request)
    {
        var windowStart = (Time.GetUtcNow() - settings.WindowLength).UtcTicks;
        var inWindow = closedBars.Where(b => b.Minute.UtcTicks >= windowStart).ToList();
        var limit = Math.Clamp(request.Limit, 0, inWindow.Count);
        IReadOnlyList<MinuteBar> closed = [.. inWindow.Skip(inWindow.Count - limit)];
        return ValueTask.FromResult(new MinuteBarHistory(closed, bar.IsOpen ? bar.ToBar(closed: false) : null));
    }

    private void Accept(in Tick tick, long time, long minute)
    {
        sequence++;
        lastTradeId = tick.TradeId;
        window.Add(time, tick.Price, tick.Quantity);
        bar.Add(minute, tick.Price, tick.Quantity, sequence);
        pending[pendingCount++] = new SequencedTick(sequence, tick);
    }

    /// <summary>Queues the pending trades behind the ones queued before (<see cref="appended"/>), handing the buffer to the store until the append completes.</summary>
    private async ValueTask FlushAsync()
    {
        if (pendingCount == 0)
        {
            return;
        }

        Task durable;
        var waiting = held;
        held = null;
        try
        {
            durable = await store.QueueTicksAsync(instrument, epoch, pending.AsMemory(0, pendingCount), appended, CancellationToken.None);
        }
        catch (Exception error)
        {
            StoreFailed(error, sequence);
            waiting?.TrySetException(error);
            throw;
        }
        finally
        {
            pendingCount = 0;
        }

        appended = durable;
        if (waiting is not null)
        {
            _ = durable.ContinueWith(
                static (append, state) => ((TaskCompletionSource)state!).TrySetFromTask(append),
                waiting,
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        handedOver.Add((pending, durable));
        pending = NextBuffer(pending.Length);
        if (!durable.IsCompletedSuccessfully)
        {
            // An append that fails after the turn that queued it ends the activation all the same. The continuation
            // runs only then: a commit costs no work item (an await would queue one per append).
            _ = durable.ContinueWith(
                static (failedAppend, state) =>
                {
                    var (actor, through) = ((PairActor, long))state!;
                    actor.StoreFailed(FailureOf(failedAppend), through);
                },
                (this, sequence),
                CancellationToken.None,
                TaskContinuationOptions.NotOnRanToCompletion | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }
    }

    /// <summary>Why a failed or cancelled append did not store its trades.</summary>
    private static Exception FailureOf(Task append) => append.Exception?.InnerException ?? new OperationCanceledException("An append was cancelled.");

    /// <summary>A buffer of at least <paramref name="length"/> the store is done with: one whose append completed, or a new one.</summary>
    private SequencedTick[] NextBuffer(int length)
    {
        for (var i = 0; i < handedOver.Count; i++)
        {
            if (handedOver[i].Durable.IsCompleted)
            {
                var free = handedOver[i].Ticks;
                handedOver.RemoveAt(i);
                if (free.Length >= length)
                {
                    return free;
                }

                break;
            }
        }

        return new SequencedTick[length];
    }

    private async ValueTask CloseBarAsync()
    {
        // Its held trades first: a bar is stored after its trades.
        await FlushAsync();
        var closed = bar.Close();
        lastClosedMinute = closed.Minute.UtcTicks;
        Remember(closed);
        try
        {
            // A bar is stored after its trades.
            await appended;
            await store.SaveBarAsync(closed, CancellationToken.None);
        }
        catch (Exception error)
        {
            StoreFailed(error, sequence);
            throw;
        }

        await updates.PublishAsync(new MinuteBarClosed(closed, epoch));
    }

    /// <summary>
    /// A write failed: what this activation holds is ahead of the store. It refuses further batches
    /// and ends, so the next activation rebuilds from what is durable and redelivery fills the rest.
    /// </summary>
    private void StoreFailed(Exception error, long through)
    {
        if (Interlocked.Exchange(ref failed, 1) == 1)
        {
            return;
        }

        LogStoreFailed(error, instrument.Value, through);
        DeactivateOnIdle();
    }

    private async ValueTask CloseBarIfDueAsync()
    {
        if (bar.IsOpen && bar.MinuteUtcTicks + TimeSpan.TicksPerMinute + settings.BarCloseGrace.Ticks <= Time.GetUtcNow().UtcTicks)
        {
            await CloseBarAsync();
        }
    }

    private void ScheduleBarClose()
    {
        if (!bar.IsOpen || timerMinute == bar.MinuteUtcTicks)
        {
            return;
        }

        timerMinute = bar.MinuteUtcTicks;
        var due = new DateTimeOffset(bar.MinuteUtcTicks + TimeSpan.TicksPerMinute, TimeSpan.Zero) + settings.BarCloseGrace - Time.GetUtcNow();
        barTimer?.Dispose();
        barTimer = RegisterTimer(OnBarTimerAsync, due < TimeSpan.Zero ? TimeSpan.Zero : due, Timeout.InfiniteTimeSpan);
    }

    private async ValueTask OnBarTimerAsync(CancellationToken cancellationToken)
    {
        timerMinute = long.MinValue;
        await CloseBarIfDueAsync();
        ScheduleBarClose();
    }

    private async ValueTask RecoverAsync(PairHistory history, DateTimeOffset since)
    {
        epoch = history.Epoch;
        sequence = history.LastSequence;
        lastTradeId = history.LastTradeId;

        // Every minute before the loaded history is over (grace < 1 minute <= window): never reopen one.
        lastClosedMinute = since.UtcTicks - TimeSpan.TicksPerMinute;
        foreach (var stored in history.Bars.Where(b => b.Closed))
        {
            Remember(stored);
            lastClosedMinute = Math.Max(lastClosedMinute, stored.Minute.UtcTicks);
        }

        foreach (var (tickSequence, tick) in history.Ticks)
        {
            var time = tick.ExchangeTime.UtcTicks;
            var minute = MinuteBarBuilder.MinuteOf(time);
            window.Add(time, tick.Price, tick.Quantity);
            if (minute <= lastClosedMinute)
            {
                if (minute == lastClosedMinute)
                {
                    // A trade of that minute still to be delivered (after a timer close) can then reopen the bar.
                    bar.AddToClosed(minute, tick.Price, tick.Quantity, tickSequence);
                }

                continue;
            }

            if (bar.IsOpen && minute > bar.MinuteUtcTicks)
            {
                await CloseBarAsync();
            }

            bar.Add(minute, tick.Price, tick.Quantity, tickSequence);
        }

        // The predecessor stored trades of the bar it closed last after saving it (it reopened the bar for a
        // delayed trade and ended before closing it again): reopen, so it is saved whole when it closes.
        var lastStored = history.Bars.LastOrDefault(b => b.Closed && b.Minute.UtcTicks == lastClosedMinute);
        if (lastStored is not null && bar.ClosedCount > lastStored.Count && bar.TryReopen(lastClosedMinute))
        {
            lastClosedMinute -= TimeSpan.TicksPerMinute;
            LogReopened(instrument.Value, bar.MinuteUtcTicks);
        }

        if (history.Last is { } last)
        {
            latest = ToUpdate(last);
        }

        LogRecovered(instrument.Value, epoch, sequence, history.Ticks.Count);
    }

    private void Remember(MinuteBar closed)
    {
        if (closedBars.Count > 0 && closedBars[^1].Minute == closed.Minute)
        {
            // A reopened bar closed again: the amended bar replaces the first close.
            closedBars[^1] = closed;
            return;
        }

        closedBars.Add(closed);
        if (closedBars.Count > MaxClosedBars)
        {
            closedBars.RemoveAt(0);
        }
    }

    private PriceUpdated ToUpdate(SequencedTick last) => new(
        instrument.Exchange,
        instrument.Symbol,
        last.Tick.Price,
        last.Tick.Quantity,
        last.Tick.ExchangeTime,
        last.Sequence,
        epoch);

    private void EnsureCapacity(int count)
    {
        if (pending.Length < count)
        {
            Array.Resize(ref pending, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)count));
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning,
        Message = "Pair {Instrument} rejected {Rejected} of {Count} ticks: another instrument's, or older than the open minute bar (last closed minute {LastClosedMinuteTicks})")]
    private partial void LogRejected(string instrument, int rejected, int count, long lastClosedMinuteTicks);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information,
        Message = "Pair {Instrument} reopened the bar of minute {MinuteTicks}: trades of it arrived after its close timer ran")]
    private partial void LogReopened(string instrument, long minuteTicks);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error,
        Message = "Pair {Instrument} could not write to the store at sequence {Sequence}; it refuses batches and reloads from the store")]
    private partial void LogStoreFailed(Exception error, string instrument, long sequence);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information,
        Message = "Pair {Instrument} recovered epoch {Epoch} at sequence {Sequence} with {Ticks} ticks in its window")]
    private partial void LogRecovered(string instrument, long epoch, long sequence, int ticks);
}
