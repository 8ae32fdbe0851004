namespace PriceActors.Grains;

/// <summary>
/// The Orleans stream providers and namespaces of PriceActors. Each instrument has a tick stream and an
/// update stream, both keyed by its canonical name (<see cref="InstrumentKey.Value"/>).
/// </summary>
public static class StreamNames
{
    /// <summary>
    /// The provider of the tick streams, feed → pair: memory streams in embedded mode, a durable provider in the cluster.
    /// </summary>
    public const string TickProvider = "ticks";

    /// <summary>The namespace of the tick streams; <see cref="IPairGrain"/> subscribes to its own implicitly.</summary>
    public const string Ticks = "ticks";

    /// <summary>The provider of the update streams, pair → gateways: in memory and best effort (clients recover through sequences and snapshots).</summary>
    public const string UpdateProvider = "updates";

    /// <summary>The namespace of the update streams, carrying <see cref="IPairUpdate"/>s.</summary>
    public const string Updates = "updates";

    /// <summary>The tick stream of an instrument.</summary>
    /// <param name="instrument">The instrument.</param>
    public static StreamId TicksOf(InstrumentKey instrument) => StreamId.Create(Ticks, instrument.Value);

    /// <summary>The update stream of an instrument.</summary>
    /// <param name="instrument">The instrument.</param>
    public static StreamId UpdatesOf(InstrumentKey instrument) => StreamId.Create(Updates, instrument.Value);
}
