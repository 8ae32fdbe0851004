using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using PriceActors.Grains.Storage;

namespace PriceActors.Grains.Pairs;

/// <summary>
/// The grain of one instrument. The router of its tick stream (<see cref="Streams.TickRouterGrain"/>) hands it batches
/// through <see cref="RecordTicksAsync"/>; each accepted trade gets the next sequence number and goes into the rolling
/// window and the open minute bar. After each batch one <see cref="PriceUpdated"/> goes to the update stream, then the
/// trades to the store, and the call completes once they are stored, so the tick stream hands a new activation
/// whatever the store does not have. A bar is closed by the first trade of a later
/// minute or by a timer shortly after its minute ends, saved after its trades, and only then published. On
/// activation the grain rebuilds its window and bars from the store, keeping its epoch and sequence. While its bar is
/// open the grain holds an Orleans reminder (<see cref="BarReminder"/>): if its silo dies, the reminder activates it
/// elsewhere, and the activation closes the bar from the stored trades even when no later trade comes.
/// <para>
/// The update leaves before the store has the trades, as a ticker plant publishes before its database: if the write
/// fails, the call fails and the activation ends; the next one reloads what is stored and takes the redelivered
/// trades in the same order, giving them the same sequence numbers, and gateways drop an update that is not newer
/// than the last one they passed on. That needs the caller to send the failed batch again before any later one, as
/// the tick stream's router does (<see cref="IPairGrain.RecordTicksAsync"/>).
/// </para>
/// </summary>
public sealed partial class PairGrain(
    IMarketStore store,
    IOptions<PairOptions> options,
    [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time,
    ILogger<PairGrain> logger) : Grain, IPairGrain, IRemindable
{
    /// <summary>The reminder a pair holds while its bar is open.</summary>
    public const string BarReminder = "close-bar";

    /// <summary>The most minute bars one candle request reads: 35 days of minutes.</summary>
    public const int MaxCandleBars = 35 * 24 * 60;

    private readonly PairOptions settings = options.Value;
    private readonly List<MinuteBar> closedBars = [];
    private SequencedTick[] pending = new SequencedTick[64];
    private int pendingCount;
    private InstrumentKey instrument;
    private IAsyncStream<IPairUpdate> updates = null!;
    private TickWindow window = null!;
    private MinuteBarBuilder bar = null!;
    private long epoch;
    private long sequence;
    private long lastTradeId;
    private long lastClosedMinute = long.MinValue;
    private long timerMinute = long.MinValue;
    private PriceUpdated? latest;
    private IGrainTimer? barTimer;
    private Task appended = Task.CompletedTask;
    private bool failed;
    private bool reminderHeld;

    private int MaxClosedBars => (int)Math.Ceiling(settings.WindowLength.TotalMinutes);

    /// <inheritdoc/>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        instrument = InstrumentKey.Parse(this.GetPrimaryKeyString());
        updates = this.GetStreamProvider(StreamNames.UpdateProvider).GetStream<IPairUpdate>(StreamNames.UpdatesOf(instrument));
        window = new TickWindow(settings.WindowLength);
        bar = new MinuteBarBuilder(instrument);
        var now = time.GetUtcNow();

        // From the start of the minute the window begins in, so that minute's bar is rebuilt whole.
        var since = new DateTimeOffset(MinuteBarBuilder.MinuteOf((now - settings.WindowLength).UtcTicks), TimeSpan.Zero);
        PairHistory? history;
        try
        {
            await store.ClaimAsync(instrument, cancellationToken);
            history = await store.LoadAsync(instrument, since, cancellationToken);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            LogLoadFailed(error, instrument.Value);
            throw CallerError("loading from the store", error);
        }

        if (history is { Epoch: > 0 })
        {
            await RecoverAsync(history, since);
        }

        // Without history the epoch is set by the first trades (TakeAsync).

        await CloseBarIfDueAsync();
        ScheduleBarClose();
    }

    /// <inheritdoc/>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        try
        {
            // The next activation loads from the store: it must find every append of this one settled.
            await appended;
        }
        catch (Exception)
        {
            // Logged when it failed; its trades come back by redelivery.
        }
    }

    /// <inheritdoc/>
    public Task<TicksRecorded> RecordTicksAsync(TickBatch batch, long batchEpoch) => TakeAsync(batch.Ticks, batchEpoch);

    /// <inheritdoc/>
    public Task<PriceUpdated?> GetLatestPriceAsync() => Task.FromResult(latest);

    /// <inheritdoc/>
    public Task<WindowStats> GetWindowStatsAsync(DateTimeOffset from, DateTimeOffset to)
    {
        if (to < from)
        {
            throw new ArgumentException($"The period ends ({to:O}) before it starts ({from:O}).", nameof(to));
        }

        var now = time.GetUtcNow();
        window.Prune(now.UtcTicks);
        var start = from < now - settings.WindowLength ? now - settings.WindowLength : from;
        var aggregate = window.Aggregate(start.UtcTicks, to.UtcTicks);
        var any = aggregate.Count > 0;
        return Task.FromResult(new WindowStats(
            instrument.Exchange,
            instrument.Symbol,
            start,
            to,
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
    public Task<MinuteBarHistory> GetMinuteBarsAsync(int limit)
    {
        var windowStart = (time.GetUtcNow() - settings.WindowLength).UtcTicks;
        var inWindow = closedBars.Where(b => b.Minute.UtcTicks >= windowStart).ToList();
        var count = Math.Clamp(limit, 0, inWindow.Count);
        return Task.FromResult(new MinuteBarHistory(inWindow.GetRange(inWindow.Count - count, count).ToArray(), bar.IsOpen ? bar.ToBar(closed: false) : null));
    }

    /// <inheritdoc/>
    public async Task<MinuteBar[]> GetStoredBarsAsync(DateTimeOffset from, DateTimeOffset to, int limit)
    {
        if (to < from || limit < 0)
        {
            throw new ArgumentException($"No bars in [{from:O}, {to:O}) at most {limit}.", nameof(to));
        }

        var stored = epoch == 0 ? [] : await store.LoadBarsAsync(instrument, epoch, from, to, limit, CancellationToken.None);
        var bars = stored.ToList();
        if (bar.IsOpen && bar.MinuteUtcTicks >= from.UtcTicks && bar.MinuteUtcTicks < to.UtcTicks)
        {
            // A bar reopened by a late trade replaces its stored close.
            bars.RemoveAll(b => b.Minute.UtcTicks == bar.MinuteUtcTicks);
            if (bars.Count < limit)
            {
                bars.Add(bar.ToBar(closed: false));
            }
        }

        return [.. bars];
    }

    /// <inheritdoc/>
    public async Task<Candle[]> GetCandlesAsync(TimeSpan interval, DateTimeOffset from, DateTimeOffset to, int limit)
    {
        var size = interval.Ticks;
        if (size <= 0 || (size < TimeSpan.TicksPerMinute ? TimeSpan.TicksPerMinute % size != 0 : size % TimeSpan.TicksPerMinute != 0) || limit < 0 || to < from)
        {
            throw new ArgumentException($"No candles of {interval} in [{from:O}, {to:O}) at most {limit}: an interval divides a minute or is whole minutes.", nameof(interval));
        }

        var now = time.GetUtcNow().UtcTicks;
        var candles = new List<Candle>();
        if (size < TimeSpan.TicksPerMinute)
        {
            window.Prune(now);
            var start = Math.Max(from.UtcTicks, now - settings.WindowLength.Ticks);
            for (var open = start - (start % size); open < to.UtcTicks && candles.Count < limit; open += size)
            {
                var trades = window.Aggregate(open, open + size);
                if (trades.Count > 0)
                {
                    candles.Add(CandleOf(open, size, now, trades.First, trades.High, trades.Low, trades.Last, trades.Volume, trades.Count));
                }
            }

            return [.. candles];
        }

        var first = from.UtcTicks - (from.UtcTicks % size);
        var bars = await GetStoredBarsAsync(new DateTimeOffset(first, TimeSpan.Zero), to, MaxCandleBars);
        foreach (var bucket in bars.GroupBy(b => b.Minute.UtcTicks - (b.Minute.UtcTicks % size)))
        {
            var open = bucket.First();
            if (bucket.Key >= to.UtcTicks || candles.Count == limit)
            {
                break;
            }

            candles.Add(CandleOf(
                bucket.Key, size, now, open.Open, bucket.Max(b => b.High), bucket.Min(b => b.Low), bucket.Last().Close, bucket.Sum(b => b.Volume), bucket.Sum(b => b.Count)));
        }

        return [.. candles];

        static Candle CandleOf(long open, long size, long now, decimal first, decimal high, decimal low, decimal last, decimal volume, long count) => new(
            new DateTimeOffset(open, TimeSpan.Zero),
            new DateTimeOffset(open + size - TimeSpan.TicksPerMillisecond, TimeSpan.Zero),
            first,
            high,
            low,
            last,
            volume,
            count,
            open + size <= now);
    }

    /// <inheritdoc/>
    public async Task<TradeHistory> GetTradesAsync(DateTimeOffset since, int limit)
    {
        if (limit < 0)
        {
            throw new ArgumentException($"No trades at most {limit}.", nameof(limit));
        }

        var ticks = epoch == 0 ? [] : await store.LoadTicksAsync(instrument, epoch, since, limit, CancellationToken.None);
        return new TradeHistory(
            instrument.Exchange,
            instrument.Symbol,
            epoch,
            [.. ticks.Select(t => new HistoricTrade(t.Sequence, t.Tick.TradeId, t.Tick.Price, t.Tick.Quantity, t.Tick.ExchangeTime, t.Tick.ReceiveTime))]);
    }

    /// <inheritdoc/>
    public Task<UpdateReplay> GetUpdatesSinceAsync(long epoch, long sequence, int limit)
    {
        if (limit < 0)
        {
            throw new ArgumentException($"No updates at most {limit}.", nameof(limit));
        }

        if (epoch != this.epoch || latest is null)
        {
            return Task.FromResult(new UpdateReplay(epoch == this.epoch ? ReplayOutcome.Filled : ReplayOutcome.EpochChanged, [], latest));
        }

        if (sequence > this.sequence)
        {
            return Task.FromResult(new UpdateReplay(ReplayOutcome.Ahead, [], latest));
        }

        window.Prune(time.GetUtcNow().UtcTicks);

        // Every accepted trade enters the window with the next sequence number and leaves it from the front, so the
        // window holds the sequences sequence - Count + 1 .. sequence in order.
        var oldest = this.sequence - window.Count + 1;
        if (sequence < oldest - 1)
        {
            return Task.FromResult(new UpdateReplay(ReplayOutcome.TooOld, [], latest));
        }

        var count = (int)Math.Min(limit, this.sequence - sequence);
        var updates = new PriceUpdated[count];
        for (var i = 0; i < count; i++)
        {
            var at = sequence + 1 + i;
            var (utcTicks, price, quantity) = window[(int)(at - oldest)];
            updates[i] = new PriceUpdated(instrument.Exchange, instrument.Symbol, price, quantity, new DateTimeOffset(utcTicks, TimeSpan.Zero), at, epoch, at);
        }

        return Task.FromResult(new UpdateReplay(ReplayOutcome.Filled, updates, latest));
    }

    private async Task<TicksRecorded> TakeAsync(ReadOnlyMemory<Tick> ticks, long batchEpoch)
    {
        if (failed)
        {
            // Memory is ahead of the store: refuse, so the batch comes back to the next activation.
            throw new InvalidOperationException($"Pair {instrument} is reloading after a store failure; the batch must be delivered again.");
        }

        if (batchEpoch != 0 && batchEpoch < epoch)
        {
            LogEarlierEpoch(instrument.Value, ticks.Length, batchEpoch, epoch);
            PairMetrics.EarlierEpochTrades.Add(ticks.Length, new KeyValuePair<string, object?>("exchange", instrument.Exchange));
            return new TicksRecorded(0, 0, ticks.Length, sequence);
        }

        if (batchEpoch > epoch)
        {
            await StartEpochAsync(batchEpoch);
        }
        else if (epoch == 0)
        {
            // The first trades of a pair without history nor mode: an epoch of its own.
            epoch = time.GetUtcNow().ToUnixTimeMilliseconds();
        }

        var firstSequence = sequence + 1;
        int accepted = 0, duplicates = 0, rejected = 0, late = 0, reopened = 0;
        var oldestLate = long.MaxValue;
        EnsureCapacity(ticks.Length);
        for (var i = 0; i < ticks.Length; i++)
        {
            var tick = ticks.Span[i];
            if (tick.TradeId <= lastTradeId && tick.Instrument == instrument)
            {
                duplicates++;
                continue;
            }

            var utcTicks = tick.ExchangeTime.UtcTicks;
            var minute = MinuteBarBuilder.MinuteOf(utcTicks);
            if (minute == lastClosedMinute && tick.Instrument == instrument && bar.TryReopen(minute))
            {
                // The close timer ran before this trade of the closed minute arrived: the bar takes it and is
                // saved and published again when it closes again (the store upserts by minute).
                lastClosedMinute = minute - TimeSpan.TicksPerMinute;
                reopened++;
            }

            if (tick.Instrument != instrument)
            {
                rejected++;
                continue;
            }

            if (minute <= lastClosedMinute || (bar.IsOpen && minute < bar.MinuteUtcTicks))
            {
                // Late: its minute's bar is closed (or a later one is open). Bars go by trade time, so it is not moved
                // into another minute; it is counted and logged.
                rejected++;
                late++;
                oldestLate = Math.Min(oldestLate, utcTicks);
                continue;
            }

            if (bar.IsOpen && minute > bar.MinuteUtcTicks)
            {
                await CloseBarAsync();
            }

            Accept(tick, utcTicks, minute);
            accepted++;
        }

        if (rejected > 0)
        {
            LogRejected(instrument.Value, rejected, ticks.Length, late, late > 0 ? new DateTimeOffset(oldestLate, TimeSpan.Zero) : null, ClosedUpTo());
            if (late > 0)
            {
                PairMetrics.LateTrades.Add(late, new KeyValuePair<string, object?>("exchange", instrument.Exchange));
            }
        }

        if (reopened > 0)
        {
            LogReopened(instrument.Value, bar.MinuteUtcTicks);
        }

        if (pendingCount > 0)
        {
            latest = ToUpdate(pending[pendingCount - 1], firstSequence);
            Ops.SiloActivity.Accepted(instrument.Value, accepted, latest.Timestamp);
            await PublishAsync(latest);
            await FlushAsync();
            window.Prune(window.NewestUtcTicks);
            ScheduleBarClose();
            if (!reminderHeld && bar.IsOpen)
            {
                await HoldReminderAsync();
            }
        }

        return new TicksRecorded(accepted, duplicates, rejected, sequence);
    }

    private void Accept(in Tick tick, long utcTicks, long minute)
    {
        sequence++;
        lastTradeId = tick.TradeId;
        window.Add(utcTicks, tick.Price, tick.Quantity);
        bar.Add(minute, tick.Price, tick.Quantity, sequence);
        pending[pendingCount++] = new SequencedTick(sequence, tick);
    }

    /// <summary>Stores the pending trades and waits until they are durable; the buffer is free again after it.</summary>
    private async Task FlushAsync()
    {
        if (pendingCount == 0)
        {
            return;
        }

        try
        {
            appended = await store.QueueTicksAsync(instrument, epoch, pending.AsMemory(0, pendingCount), appended, CancellationToken.None);
            await appended;
        }
        catch (Exception error)
        {
            StoreFailed(error);
            throw CallerError("storing trades", error);
        }
        finally
        {
            pendingCount = 0;
        }
    }

    /// <summary>
    /// A feed mode switch: the open bar closes under the old epoch, then the pair starts over (sequence, window, bars,
    /// last trade id) in <paramref name="next"/>, and loads nothing of the old one again (the store keeps epochs apart).
    /// </summary>
    private async Task StartEpochAsync(long next)
    {
        var previous = epoch;
        if (bar.IsOpen)
        {
            await CloseBarAsync();
        }

        epoch = next;
        sequence = 0;
        lastTradeId = 0;
        latest = null;
        window = new TickWindow(settings.WindowLength);
        bar = new MinuteBarBuilder(instrument);
        closedBars.Clear();
        lastClosedMinute = long.MinValue;
        timerMinute = long.MinValue;
        barTimer?.Dispose();
        barTimer = null;
        if (previous != 0)
        {
            LogEpochStarted(instrument.Value, previous, next);
        }
    }

    private async Task CloseBarAsync()
    {
        // A bar is stored after its trades.
        await FlushAsync();
        var closed = bar.Close();
        lastClosedMinute = closed.Minute.UtcTicks;
        Remember(closed);
        try
        {
            await store.SaveBarAsync(closed, epoch, CancellationToken.None);
        }
        catch (Exception error)
        {
            StoreFailed(error);
            throw CallerError("storing a closed bar", error);
        }

        await PublishAsync(new MinuteBarClosed(closed, epoch));
    }

    private async Task PublishAsync(IPairUpdate update)
    {
        try
        {
            await updates.OnNextAsync(update);
        }
        catch (Exception error)
        {
            // Updates are best effort: subscribers recover through the sequence and a snapshot.
            LogPublishFailed(error, instrument.Value, sequence);
        }
    }

    /// <summary>
    /// What a caller (a pulling agent, a gateway in another process) gets for a store failure: the store's own
    /// exceptions (Npgsql's) have no Orleans codec, and one that cannot be serialized would fail the caller's
    /// connection instead of its call. The failure itself is logged with its exception here.
    /// </summary>
    private InvalidOperationException CallerError(string what, Exception error) =>
        new($"Pair {instrument}: {what} failed ({error.GetType().Name}: {error.Message}); the batch must be delivered again.");

    /// <summary>A write failed: memory is ahead of the store. The activation refuses further batches and ends.</summary>
    private void StoreFailed(Exception error)
    {
        if (failed)
        {
            return;
        }

        failed = true;
        LogStoreFailed(error, instrument.Value, sequence);
        this.DeactivateOnIdle();
    }

    private async Task CloseBarIfDueAsync()
    {
        if (bar.IsOpen && bar.MinuteUtcTicks + TimeSpan.TicksPerMinute + settings.BarCloseGrace.Ticks <= time.GetUtcNow().UtcTicks)
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
        var due = new DateTimeOffset(bar.MinuteUtcTicks + TimeSpan.TicksPerMinute, TimeSpan.Zero) + settings.BarCloseGrace - time.GetUtcNow();
        barTimer?.Dispose();
        barTimer = this.RegisterGrainTimer(OnBarTimerAsync, new GrainTimerCreationOptions
        {
            DueTime = due < TimeSpan.Zero ? TimeSpan.Zero : due,
            Period = Timeout.InfiniteTimeSpan,
        });
    }

    /// <inheritdoc/>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != BarReminder || failed)
        {
            return;
        }

        await CloseBarIfDueAsync();
        ScheduleBarClose();
        if (!bar.IsOpen)
        {
            // No trade since the bar closed: nothing left to close if this activation dies. The next trade registers again.
            try
            {
                if (await this.GetReminder(BarReminder) is { } reminder)
                {
                    await this.UnregisterReminder(reminder);
                }

                reminderHeld = false;
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                LogReminderFailed(error, instrument.Value, "unregister");
            }
        }
    }

    /// <summary>Registers the bar reminder; a failure (the reminder table unreachable) is logged and tried again after the next batch.</summary>
    private async Task HoldReminderAsync()
    {
        try
        {
            await this.RegisterOrUpdateReminder(BarReminder, settings.BarReminderPeriod, settings.BarReminderPeriod);
            reminderHeld = true;
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            LogReminderFailed(error, instrument.Value, "register");
        }
    }

    private async Task OnBarTimerAsync(CancellationToken cancellationToken)
    {
        timerMinute = long.MinValue;
        if (!failed)
        {
            await CloseBarIfDueAsync();
            ScheduleBarClose();
        }
    }

    private async Task RecoverAsync(PairHistory history, DateTimeOffset since)
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
            var utcTicks = tick.ExchangeTime.UtcTicks;
            var minute = MinuteBarBuilder.MinuteOf(utcTicks);
            window.Add(utcTicks, tick.Price, tick.Quantity);
            if (minute <= lastClosedMinute)
            {
                if (minute == lastClosedMinute)
                {
                    // A trade of that minute still to come (after a timer close) can then reopen the bar.
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
            latest = ToUpdate(last, last.Sequence);
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

    private PriceUpdated ToUpdate(SequencedTick last, long first) => new(
        instrument.Exchange,
        instrument.Symbol,
        last.Tick.Price,
        last.Tick.Quantity,
        last.Tick.ExchangeTime,
        last.Sequence,
        epoch,
        first);

    private void EnsureCapacity(int count)
    {
        if (pending.Length < count)
        {
            Array.Resize(ref pending, (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)count));
        }
    }

    /// <summary>The end of the last minute whose bar is closed (trades before it are late), or of the minute before the open bar.</summary>
    private DateTimeOffset? ClosedUpTo()
    {
        var closed = bar.IsOpen ? Math.Max(lastClosedMinute, bar.MinuteUtcTicks - TimeSpan.TicksPerMinute) : lastClosedMinute;
        return closed == long.MinValue ? null : new DateTimeOffset(closed + TimeSpan.TicksPerMinute, TimeSpan.Zero);
    }

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning,
        Message = "Pair {Instrument} refused {Ticks} trades of epoch {TradeEpoch}: it is in epoch {Epoch} (a feed mode switch)")]
    private partial void LogEarlierEpoch(string instrument, int ticks, long tradeEpoch, long epoch);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Information,
        Message = "Pair {Instrument} left epoch {Previous} for epoch {Epoch} (a feed mode switch): sequence, window and bars start over")]
    private partial void LogEpochStarted(string instrument, long previous, long epoch);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning,
        Message = "Pair {Instrument} rejected {Rejected} of {Count} ticks: {Late} late (trade time from {OldestLate}; bars are closed up to {ClosedUpTo}), the others another instrument's")]
    private partial void LogRejected(string instrument, int rejected, int count, int late, DateTimeOffset? oldestLate, DateTimeOffset? closedUpTo);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information,
        Message = "Pair {Instrument} recovered epoch {Epoch} at sequence {Sequence} with {Ticks} ticks in its window")]
    private partial void LogRecovered(string instrument, long epoch, long sequence, int ticks);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Error,
        Message = "Pair {Instrument} could not write to the store at sequence {Sequence}; it refuses batches and reloads from the store")]
    private partial void LogStoreFailed(Exception error, string instrument, long sequence);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information,
        Message = "Pair {Instrument} reopened the bar of minute {MinuteTicks}: trades of it arrived after its close timer ran")]
    private partial void LogReopened(string instrument, long minuteTicks);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Warning,
        Message = "Pair {Instrument} could not publish its update at sequence {Sequence}; subscribers catch up with the next one")]
    private partial void LogPublishFailed(Exception error, string instrument, long sequence);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Error,
        Message = "Pair {Instrument} could not claim or load its state from the store; the activation fails and the next call tries again")]
    private partial void LogLoadFailed(Exception error, string instrument);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Warning,
        Message = "Pair {Instrument} could not {Action} its bar reminder; it tries again after its next batch")]
    private partial void LogReminderFailed(Exception error, string instrument, string action);
}
