using System.Globalization;

namespace PriceActors.Grains;

/// <summary>
/// The Orleans stream providers and namespaces of PriceActors. Ticks travel in a few streams per exchange
/// (<see cref="TickStreamsPerExchange"/>), each carrying the rounds of its share of the exchange's instruments, so the
/// number of stream events a second does not grow with the number of instruments; each instrument has its own update
/// stream, keyed by its canonical name (<see cref="InstrumentKey.Value"/>).
/// </summary>
public static class StreamNames
{
    /// <summary>
    /// The provider of the tick streams, feed → pair: memory streams in embedded mode, a durable provider in the cluster.
    /// </summary>
    public const string TickProvider = "ticks";

    /// <summary>The namespace of the tick streams; their <see cref="ITickRouterGrain"/>s subscribe implicitly.</summary>
    public const string Ticks = "ticks";

    /// <summary>
    /// Tick streams per exchange. A protocol constant: every feed and silo of a cluster must agree, since it decides
    /// which stream, and so which router, carries an instrument.
    /// </summary>
    public const int TickStreamsPerExchange = 4;

    /// <summary>The provider of the update streams, pair → gateways: in memory and best effort (clients recover through sequences and snapshots).</summary>
    public const string UpdateProvider = "updates";

    /// <summary>The namespace of the update streams, carrying <see cref="IPairUpdate"/>s.</summary>
    public const string Updates = "updates";

    /// <summary>The tick stream that carries an instrument's trades.</summary>
    /// <param name="instrument">The instrument.</param>
    public static StreamId TicksOf(InstrumentKey instrument) => TicksOf(instrument.Exchange, ShardOf(instrument));

    /// <summary>Tick stream <paramref name="shard"/> of an exchange, keyed <c>{exchange}/{shard}</c>.</summary>
    /// <param name="exchange">The exchange.</param>
    /// <param name="shard">0 to <see cref="TickStreamsPerExchange"/> − 1.</param>
    public static StreamId TicksOf(string exchange, int shard) =>
        StreamId.Create(Ticks, string.Create(CultureInfo.InvariantCulture, $"{exchange}/{shard}"));

    /// <summary>Which of its exchange's tick streams carries an instrument: a hash of its symbol that every process computes alike.</summary>
    /// <param name="instrument">The instrument.</param>
    public static int ShardOf(InstrumentKey instrument)
    {
        // FNV-1a over the symbol's UTF-16 code units: stable across processes and runtimes, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var c in instrument.Symbol)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % TickStreamsPerExchange);
    }

    /// <summary>The update stream of an instrument.</summary>
    /// <param name="instrument">The instrument.</param>
    public static StreamId UpdatesOf(InstrumentKey instrument) => StreamId.Create(Updates, instrument.Value);
}
