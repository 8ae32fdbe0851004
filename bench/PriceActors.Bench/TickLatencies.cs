using System.Globalization;
using PriceActors.Grains;
using PriceActors.Grains.Streams;

namespace PriceActors.Bench;

/// <summary>
/// The latency run's gateway side: when each tick the feed published reached the gateway, and when each update did.
/// <para>
/// An update carries only its newest tick's exchange time. When a pair falls behind (its tick stream held its ticks, or it
/// waited for a commit) it folds several rounds into one update, so timing updates by their newest tick counts a stall
/// once per pair instead of once per tick it held, and misses the older ticks' longer wait. Here every tick counts:
/// <see cref="PriceUpdated.Sequence"/> counts a pair's ticks (from 1 on the fresh database of the run), the feed's round r
/// carries ticks 5r + 1 to 5r + 5 of every instrument, and the feed reports each round's stamp
/// (<see cref="LatencyClient"/>'s <c>STAMPS</c>). The ticks an update covers (the previous update's sequence + 1 to its
/// own) reached the gateway when it arrived; their latency is that arrival minus their round's stamp.
/// </para>
/// </summary>
internal sealed class TickLatencies : IUpdateObserver
{
    private readonly Dictionary<string, int> instruments;
    private readonly long[] lastSequence;
    private readonly List<(long From, long To, long Arrived, long Stamp)> updates;
    private readonly Lock gate = new();
    // Updates are kept from the start until Stop: which rounds count is known only from the feed's STAMPS, and the gateway
    // learns that recording began through the bench's relay, which can lag the first recorded round's update.
    private bool stopped;

    /// <param name="instruments">The run's instruments.</param>
    /// <param name="capacity">
    /// Updates to make room for before the run: growing the list mid-run copies it into a new array of twice the size, and on
    /// this VM touching that much fresh memory (11 µs a 4 KiB page, bench/README.md) stalls the gateway for
    /// milliseconds, with the lock held.
    /// </param>
    public TickLatencies(InstrumentKey[] instruments, int capacity = 0)
    {
        updates = new(capacity);
        this.instruments = instruments.Select((instrument, n) => (instrument.Symbol, n)).ToDictionary(i => i.Symbol, i => i.n);
        lastSequence = new long[instruments.Length];
    }

    public int Instruments => lastSequence.Length;

    public void Stop()
    {
        lock (gate)
        {
            stopped = true;
        }
    }

    public void OnPriceUpdated(PriceUpdated update) => Observe(update, DateTimeOffset.UtcNow.UtcTicks);

    /// <summary>An update that arrived at <paramref name="arrived"/> (UTC ticks).</summary>
    internal void Observe(PriceUpdated update, long arrived)
    {
        lock (gate)
        {
            var n = instruments[update.Symbol];
            var from = lastSequence[n];
            if (update.Sequence <= from)
            {
                return;
            }

            lastSequence[n] = update.Sequence;
            if (!stopped)
            {
                updates.Add((from, update.Sequence, arrived, update.Timestamp.UtcTicks));
            }
        }
    }

    /// <summary>The instruments whose updates have not covered sequence <paramref name="expected"/> yet, with the last one seen.</summary>
    public List<(string Symbol, long Last)> Short(long expected)
    {
        lock (gate)
        {
            return [.. instruments.Where(i => lastSequence[i.Value] < expected).Select(i => (i.Key, lastSequence[i.Value]))];
        }
    }

    public void OnMinuteBarClosed(MinuteBarClosed closed)
    {
    }

    /// <summary>
    /// Each update that covered a tick of round <paramref name="firstRound"/> or later: its arrival minus its newest tick's
    /// exchange time, in ms. The former measure.
    /// </summary>
    public Distribution PerUpdate(int firstRound, int ticksPerRound)
    {
        lock (gate)
        {
            return Distribution.Of([.. updates.Where(u => u.To > (long)firstRound * ticksPerRound).Select(u => ((u.Arrived - u.Stamp) / (double)TimeSpan.TicksPerMillisecond, 1L))]);
        }
    }

    /// <summary>
    /// Each tick of rounds <paramref name="firstRound"/> onwards (stamped <paramref name="stamps"/>) that an update
    /// covered: arrival minus its round's stamp, overall and in slices of <paramref name="sliceSeconds"/> by stamp (a last
    /// slice shorter than half of one is folded into the one before).
    /// </summary>
    public (Distribution All, Distribution[] Slices) PerTick(int firstRound, long[] stamps, int ticksPerRound, int sliceSeconds)
    {
        var slice = sliceSeconds * TimeSpan.TicksPerSecond;
        var count = stamps.Length == 0 ? 1 : Math.Max(1, (int)Math.Round((stamps[^1] - stamps[0]) / (double)slice));
        var all = new List<(double, long)>();
        var slices = Enumerable.Range(0, count).Select(_ => new List<(double, long)>()).ToArray();
        lock (gate)
        {
            foreach (var (from, to, arrived, _) in updates)
            {
                for (var round = from / ticksPerRound; round <= (to - 1) / ticksPerRound; round++)
                {
                    var k = round - firstRound;
                    if (k < 0 || k >= stamps.Length)
                    {
                        continue;
                    }

                    var ticks = Math.Min(to, (round + 1) * ticksPerRound) - Math.Max(from, round * ticksPerRound);
                    var sample = ((arrived - stamps[k]) / (double)TimeSpan.TicksPerMillisecond, ticks);
                    all.Add(sample);
                    slices[Math.Min(count - 1, (int)((stamps[k] - stamps[0]) / slice))].Add(sample);
                }
            }
        }

        return (Distribution.Of([.. all]), [.. slices.Select(s => Distribution.Of([.. s]))]);
    }

    /// <summary>Samples in ms, each with a weight (the ticks it stands for), sorted by value.</summary>
    internal sealed class Distribution
    {
        private readonly (double Milliseconds, long Weight)[] sorted;

        private Distribution((double Milliseconds, long Weight)[] sorted)
        {
            this.sorted = sorted;
            Weight = sorted.Sum(s => s.Weight);
        }

        /// <summary>The samples' total weight: ticks, or updates.</summary>
        public long Weight { get; }

        public static Distribution Of((double Milliseconds, long Weight)[] samples)
        {
            Array.Sort(samples, (a, b) => a.Milliseconds.CompareTo(b.Milliseconds));
            return new Distribution(samples);
        }

        /// <summary>Nearest rank, as <see cref="Percentiles.Of{T}"/>, counting each sample as often as its weight.</summary>
        public double Percentile(double p)
        {
            if (sorted.Length == 0)
            {
                return double.NaN;
            }

            var rank = (long)Math.Min(Weight - 1, p * Weight);
            long seen = 0;
            foreach (var (milliseconds, weight) in sorted)
            {
                seen += weight;
                if (seen > rank)
                {
                    return milliseconds;
                }
            }

            return sorted[^1].Milliseconds;
        }

        /// <summary><c>p50 p99 max weight</c>, invariant culture, for the gateway's result lines.</summary>
        public string Fields() => string.Create(CultureInfo.InvariantCulture, $"{Percentile(0.5):F1} {Percentile(0.99):F1} {Percentile(1):F1} {Weight}");
    }
}
