namespace PriceActors.Grains.Pairs;

/// <summary>The open minute bar of one instrument.</summary>
internal sealed class MinuteBarBuilder(InstrumentKey instrument)
{
    private WindowAggregate aggregate;
    private (WindowAggregate Aggregate, long Minute, long Sequence) closed;

    /// <summary>Start of the open minute (UTC ticks); meaningful only while <see cref="IsOpen"/>.</summary>
    public long MinuteUtcTicks { get; private set; }

    public bool IsOpen => aggregate.Count > 0;

    public long LastSequence { get; private set; }

    /// <summary>Trades of the bar closed last (or replayed into it by <see cref="AddToClosed"/>).</summary>
    public long ClosedCount => closed.Aggregate.Count;

    public static long MinuteOf(long utcTicks) => utcTicks - (utcTicks % TimeSpan.TicksPerMinute);

    /// <summary>Adds a trade of the open minute, opening it on the first trade.</summary>
    public void Add(long minuteUtcTicks, decimal price, decimal quantity, long sequence)
    {
        if (!IsOpen)
        {
            MinuteUtcTicks = minuteUtcTicks;
        }

        aggregate.Add(price, quantity);
        LastSequence = sequence;
    }

    public MinuteBar ToBar(bool closed) => new(
        instrument.Exchange,
        instrument.Symbol,
        new DateTimeOffset(MinuteUtcTicks, TimeSpan.Zero),
        aggregate.First,
        aggregate.High,
        aggregate.Low,
        aggregate.Last,
        aggregate.Average,
        aggregate.Vwap,
        aggregate.Count,
        aggregate.Volume,
        LastSequence,
        closed);

    /// <summary>Closes the bar and starts empty; the closed bar can still be reopened by <see cref="TryReopen"/>.</summary>
    public MinuteBar Close()
    {
        var bar = ToBar(closed: true);
        closed = (aggregate, MinuteUtcTicks, LastSequence);
        aggregate = default;
        return bar;
    }

    /// <summary>
    /// Recovery: replays a trade of the bar closed last (saved before this activation), so that
    /// <see cref="TryReopen"/> can reopen it as if this builder had closed it.
    /// </summary>
    public void AddToClosed(long minuteUtcTicks, decimal price, decimal quantity, long sequence)
    {
        var replayed = closed.Minute == minuteUtcTicks ? closed.Aggregate : default;
        replayed.Add(price, quantity);
        closed = (replayed, minuteUtcTicks, sequence);
    }

    /// <summary>
    /// Reopens the bar closed last, when a trade of its minute arrives after the close timer ran (its delivery
    /// was delayed: a stream that fell behind, a silo that died). False when nothing is open-able: a bar is open, the
    /// minute is another, or this builder closed no bar since it was created.
    /// </summary>
    public bool TryReopen(long minuteUtcTicks)
    {
        if (IsOpen || closed.Aggregate.Count == 0 || closed.Minute != minuteUtcTicks)
        {
            return false;
        }

        (aggregate, MinuteUtcTicks, LastSequence) = closed;
        closed = default;
        return true;
    }
}
