using System.Collections.Concurrent;

namespace PriceActors.Grains.Ops;

/// <summary>
/// What this process's routers and pairs did, for the operations view: ticks and deliveries per tick stream with the lag
/// of its last delivery, trades and batches per pair with the time of its last. Process-wide, like a meter: updated once
/// per delivery and per batch, read by the silo's reporter.
/// </summary>
public static class SiloActivity
{
    private static readonly ConcurrentDictionary<string, StreamCounter> StreamCounters = new();
    private static readonly ConcurrentDictionary<string, PairCounter> PairCounters = new();

    /// <summary>A router delivered <paramref name="ticks"/> trades of <paramref name="stream"/>, the newest traded at <paramref name="newest"/>.</summary>
    public static void Delivered(string stream, long ticks, DateTimeOffset newest, DateTimeOffset now)
    {
        var counter = StreamCounters.GetOrAdd(stream, _ => new StreamCounter());
        lock (counter)
        {
            counter.Ticks += ticks;
            counter.Deliveries++;
            counter.Lag = (now - newest).TotalMilliseconds;
            counter.Last = now;
        }
    }

    /// <summary>A pair accepted <paramref name="ticks"/> trades, the last traded at <paramref name="last"/>.</summary>
    public static void Accepted(string instrument, long ticks, DateTimeOffset last)
    {
        var counter = PairCounters.GetOrAdd(instrument, _ => new PairCounter());
        lock (counter)
        {
            counter.Ticks += ticks;
            counter.Batches++;
            counter.Last = last;
        }
    }

    /// <summary>Every stream's totals.</summary>
    public static StreamActivity[] Streams() =>
        [.. StreamCounters.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => { lock (s.Value) { return new StreamActivity(s.Key, s.Value.Ticks, s.Value.Deliveries, s.Value.Lag, s.Value.Last); } })];

    /// <summary>Every pair's totals.</summary>
    public static PairActivity[] Pairs() =>
        [.. PairCounters.Select(p => { lock (p.Value) { return new PairActivity(p.Key, p.Value.Ticks, p.Value.Batches, p.Value.Last); } })];

    private sealed class StreamCounter
    {
        public long Ticks { get; set; }

        public long Deliveries { get; set; }

        public double Lag { get; set; }

        public DateTimeOffset Last { get; set; }
    }

    private sealed class PairCounter
    {
        public long Ticks { get; set; }

        public long Batches { get; set; }

        public DateTimeOffset Last { get; set; }
    }
}
