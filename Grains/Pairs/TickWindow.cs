namespace PriceActors.Grains.Pairs;

/// <summary>
/// The rolling window of one instrument's trades, ordered by exchange time, answering count, high,
/// low, average, VWAP, first, last and volume over any period inside it.
/// </summary>
internal sealed class TickWindow(TimeSpan length)
{
    private static readonly Func<Entry, long> TimeOf = static e => e.UtcTicks;
    private readonly RingBuffer<Entry> entries = new(256);

    public TimeSpan Length { get; } = length;

    public int Count => entries.Count;

    /// <summary>Time of the newest trade, or <see cref="long.MinValue"/> when empty.</summary>
    public long NewestUtcTicks => entries.Count == 0 ? long.MinValue : entries[entries.Count - 1].UtcTicks;

    /// <summary>
    /// Adds a trade. A trade timestamped before the newest one is kept at the newest one's time, so
    /// the window stays ordered; exchanges send trades of one instrument in time order.
    /// </summary>
    public void Add(long utcTicks, decimal price, decimal quantity)
    {
        entries.Add(new Entry(Math.Max(utcTicks, NewestUtcTicks), price, quantity));
    }

    /// <summary>Drops trades older than the window length before <paramref name="nowUtcTicks"/>.</summary>
    public void Prune(long nowUtcTicks)
    {
        var start = nowUtcTicks - Length.Ticks;
        if (entries.Count > 0 && entries[0].UtcTicks < start)
        {
            entries.RemoveFirst(entries.LowerBound(start, TimeOf));
        }
    }

    /// <summary>The trade at <paramref name="index"/>, 0 the oldest.</summary>
    public (long UtcTicks, decimal Price, decimal Quantity) this[int index]
    {
        get
        {
            ref readonly var entry = ref entries[index];
            return (entry.UtcTicks, entry.Price, entry.Quantity);
        }
    }

    public WindowAggregate Aggregate(long fromUtcTicks, long toUtcTicks)
    {
        var aggregate = default(WindowAggregate);
        for (var i = entries.LowerBound(fromUtcTicks, TimeOf); i < entries.Count; i++)
        {
            ref readonly var entry = ref entries[i];
            if (entry.UtcTicks >= toUtcTicks)
            {
                break;
            }

            aggregate.Add(entry.Price, entry.Quantity);
        }

        return aggregate;
    }

    private readonly record struct Entry(long UtcTicks, decimal Price, decimal Quantity);
}
