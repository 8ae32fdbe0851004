using PriceActors.Grains;
using PriceActors.Grains.Storage;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary>
/// What a pair actor should answer, computed the slow and obvious way from the list of every tick
/// it accepted: no window, no ring buffer, no running aggregates.
/// </summary>
internal sealed class PairReference(InstrumentKey instrument, TimeSpan windowLength, TimeSpan barCloseGrace)
{
    private readonly List<SequencedTick> accepted = [];
    private long lastBatchFirst;
    private long lastTradeId;

    public IReadOnlyList<SequencedTick> Accepted => accepted;

    /// <summary>Classifies a batch handled at <paramref name="now"/> and remembers what was accepted.</summary>
    public TicksRecorded Record(IEnumerable<Tick> ticks, DateTimeOffset now)
    {
        int acceptedCount = 0, duplicates = 0, rejected = 0;
        var first = accepted.Count + 1;
        foreach (var tick in ticks)
        {
            if (tick.Instrument != instrument)
            {
                rejected++;
            }
            else if (tick.TradeId <= lastTradeId)
            {
                duplicates++;
            }
            else if (IsLate(tick.ExchangeTime, now))
            {
                rejected++;
            }
            else
            {
                lastTradeId = tick.TradeId;
                accepted.Add(new SequencedTick(accepted.Count + 1, tick));
                acceptedCount++;
            }
        }

        if (acceptedCount > 0)
        {
            lastBatchFirst = first;
        }

        return new TicksRecorded(acceptedCount, duplicates, rejected, accepted.Count);
    }

    public PriceUpdated? Latest(long epoch) => accepted.Count == 0
        ? null
        : new PriceUpdated(
            instrument.Exchange,
            instrument.Symbol,
            accepted[^1].Tick.Price,
            accepted[^1].Tick.Quantity,
            accepted[^1].Tick.ExchangeTime,
            accepted[^1].Sequence,
            epoch,
            lastBatchFirst);

    public WindowStats Stats(DateTimeOffset from, DateTimeOffset to, DateTimeOffset now)
    {
        var start = from < now - windowLength ? now - windowLength : from;
        var ticks = accepted.Select(s => s.Tick).Where(t => t.ExchangeTime >= start && t.ExchangeTime < to).ToList();
        if (ticks.Count == 0)
        {
            return new WindowStats(instrument.Exchange, instrument.Symbol, start, to, 0, null, null, null, null, null, null, 0m);
        }

        var (average, vwap) = Averages(ticks);
        return new WindowStats(
            instrument.Exchange,
            instrument.Symbol,
            start,
            to,
            ticks.Count,
            ticks.Max(t => t.Price),
            ticks.Min(t => t.Price),
            average,
            vwap,
            ticks[0].Price,
            ticks[^1].Price,
            ticks.Sum(t => t.Quantity));
    }

    /// <summary>Every bar that is over at <paramref name="now"/>: a later minute traded, or the minute ended more than the grace ago.</summary>
    public IReadOnlyList<MinuteBar> ClosedBars(DateTimeOffset now) =>
        [.. Minutes().Where(m => IsClosed(m, now)).Select(m => Bar(m, closed: true))];

    public MinuteBar? OpenBar(DateTimeOffset now) =>
        Minutes().Where(m => !IsClosed(m, now)).Select(m => Bar(m, closed: false)).SingleOrDefault();

    public static DateTimeOffset MinuteOf(DateTimeOffset time) =>
        new(time.UtcDateTime.Year, time.UtcDateTime.Month, time.UtcDateTime.Day, time.UtcDateTime.Hour, time.UtcDateTime.Minute, 0, TimeSpan.Zero);

    private static (decimal Average, decimal Vwap) Averages(List<Tick> ticks)
    {
        var average = Math.Round(ticks.Sum(t => t.Price) / ticks.Count, 12);
        var volume = ticks.Sum(t => t.Quantity);
        var vwap = volume == 0m ? average : Math.Round(ticks.Sum(t => t.Price * t.Quantity) / volume, 12);
        return (average, vwap);
    }

    private bool IsLate(DateTimeOffset time, DateTimeOffset now)
    {
        if (accepted.Count == 0)
        {
            return false;
        }

        var newest = MinuteOf(accepted[^1].Tick.ExchangeTime);
        var minute = MinuteOf(time);
        return minute < newest || (minute == newest && IsClosed(newest, now));
    }

    private IEnumerable<DateTimeOffset> Minutes() => accepted.Select(s => MinuteOf(s.Tick.ExchangeTime)).Distinct();

    private bool IsClosed(DateTimeOffset minute, DateTimeOffset now) =>
        now >= minute + TimeSpan.FromMinutes(1) + barCloseGrace
        || accepted.Any(s => MinuteOf(s.Tick.ExchangeTime) > minute);

    private MinuteBar Bar(DateTimeOffset minute, bool closed)
    {
        var trades = accepted.Where(s => MinuteOf(s.Tick.ExchangeTime) == minute).ToList();
        var ticks = trades.Select(s => s.Tick).ToList();
        var (average, vwap) = Averages(ticks);
        return new MinuteBar(
            instrument.Exchange,
            instrument.Symbol,
            minute,
            ticks[0].Price,
            ticks.Max(t => t.Price),
            ticks.Min(t => t.Price),
            ticks[^1].Price,
            average,
            vwap,
            ticks.Count,
            ticks.Sum(t => t.Quantity),
            trades[^1].Sequence,
            closed);
    }
}
