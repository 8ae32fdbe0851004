using PriceActors.Grains;

namespace PriceActors.Bench;

/// <summary>
/// The latency run's record: each batch the feed published (its last trade id and its stamp) and each update the hub
/// client received. Every tick counts, as in <see cref="TickLatencies"/>: on the run's fresh database a pair's sequence
/// is the trade id of its newest tick, so an update covers the trade ids from the previous update's sequence + 1 to its
/// own, and each of those ticks reached the gateway's subscriber when the update arrived; its latency is that arrival
/// minus the stamp of its batch. An update the gateway folded or dropped leaves its ticks to the next one, which counts
/// their longer wait.
/// </summary>
internal sealed class LatencyRecorder
{
    private readonly Dictionary<(string Exchange, string Symbol), int> index;
    private readonly List<(long LastTrade, long Stamp, long Taken)>[] batches;
    private readonly List<(long Sequence, long Arrived, long Timestamp)>[] updates;

    public LatencyRecorder(IReadOnlyList<InstrumentKey> instruments)
    {
        index = instruments.Select((instrument, n) => (instrument, n)).ToDictionary(i => (i.instrument.Exchange, i.instrument.Symbol), i => i.n);
        batches = [.. instruments.Select(_ => new List<(long, long, long)>())];
        updates = [.. instruments.Select(_ => new List<(long, long, long)>())];
    }

    /// <summary>
    /// Instrument number <paramref name="instrument"/>'s batch up to trade <paramref name="lastTrade"/> went out at
    /// <paramref name="stamp"/> and the stream had taken it (stored it in PostgreSQL) at <paramref name="taken"/>, both UTC ticks.
    /// </summary>
    public void Published(int instrument, long lastTrade, long stamp, long taken)
    {
        var list = batches[instrument];
        lock (list)
        {
            list.Add((lastTrade, stamp, taken));
        }
    }

    public void OnUpdate(HubUpdate update)
    {
        if (!index.TryGetValue((update.Exchange, update.Symbol), out var n))
        {
            return;
        }

        var list = updates[n];
        lock (list)
        {
            if (list.Count == 0 || update.Sequence > list[^1].Sequence)
            {
                list.Add((update.Sequence, update.Arrived, update.Timestamp));
            }
        }
    }

    /// <summary>Whether an update has covered trade <paramref name="lastTrades"/>[n] of every instrument n.</summary>
    public bool Covered(long[] lastTrades) => lastTrades.Select((last, n) => Last(n) >= last).All(covered => covered);

    /// <summary>
    /// The ticks of the batches stamped from <paramref name="from"/> to <paramref name="to"/> (UTC ticks): each one's
    /// latency, and each update's by its newest tick (the update's own timestamp) for the updates whose newest tick is
    /// in the span; how long each batch's publish took; how many ticks the span had and how many an update covered; and the updates whose sequence is past
    /// every trade published (the sequence did not follow the trade ids, so the matching is off).
    /// </summary>
    public LatencyFigures Analyze(long from, long to)
    {
        var ticks = new List<(double, long)>();
        var perUpdate = new List<(double, long)>();
        var publishing = new List<(double, long)>();
        long published = 0, covered = 0, mismatched = 0;
        for (var n = 0; n < batches.Length; n++)
        {
            List<(long LastTrade, long Stamp, long Taken)> b;
            List<(long Sequence, long Arrived, long Timestamp)> u;
            lock (batches[n])
            {
                b = [.. batches[n]];
            }

            lock (updates[n])
            {
                u = [.. updates[n]];
            }

            var start = new long[b.Count];
            for (var k = 0; k < b.Count; k++)
            {
                start[k] = k == 0 ? 0 : b[k - 1].LastTrade;
                if (InSpan(b[k].Stamp))
                {
                    published += b[k].LastTrade - start[k];
                    publishing.Add(((b[k].Taken - b[k].Stamp) / (double)TimeSpan.TicksPerMillisecond, 1));
                }
            }

            long previous = 0;
            var first = 0;
            foreach (var (sequence, arrived, timestamp) in u)
            {
                mismatched += b.Count == 0 || sequence > b[^1].LastTrade ? 1 : 0;
                while (first < b.Count && b[first].LastTrade <= previous)
                {
                    first++;
                }

                for (var k = first; k < b.Count && start[k] < sequence; k++)
                {
                    var count = Math.Min(sequence, b[k].LastTrade) - Math.Max(previous, start[k]);
                    if (count > 0 && InSpan(b[k].Stamp))
                    {
                        ticks.Add(((arrived - b[k].Stamp) / (double)TimeSpan.TicksPerMillisecond, count));
                        covered += count;
                    }
                }

                if (InSpan(timestamp))
                {
                    perUpdate.Add(((arrived - timestamp) / (double)TimeSpan.TicksPerMillisecond, 1));
                }

                previous = sequence;
            }
        }

        return new LatencyFigures(
            TickLatencies.Distribution.Of([.. ticks]), TickLatencies.Distribution.Of([.. perUpdate]), TickLatencies.Distribution.Of([.. publishing]), published, covered, mismatched);

        bool InSpan(long stamp) => stamp >= from && stamp < to;
    }

    private long Last(int n)
    {
        var list = updates[n];
        lock (list)
        {
            return list.Count == 0 ? 0 : list[^1].Sequence;
        }
    }
}
