using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Silo.Diagnostics;
using PriceActors.Silo.RabbitMq;

namespace PriceActors.Bench;

/// <summary>
/// The feed and the gateway of the latency run, each in a process of its own, as in a deployment; the silo under
/// test runs in the bench's main process, which starts both and relays between them on their standard streams.
/// <list type="bullet">
/// <item><c>cluster-gateway prefix updates</c>: makes room for that many updates, subscribes to every instrument on the update exchange and prints
/// <c>READY</c>; keeps each update's arrival until the line <c>STOP</c> read from stdin (<c>START</c> only starts the
/// transit and GC figures: which ticks count is decided by the feed's <c>STAMPS</c>), then prints <c>UPDATES</c>,
/// <c>TICKS</c> and <c>SLICES</c>, and <c>SHORT</c> when some instruments' last ticks were never covered.</item>
/// <item><c>cluster-feed prefix rate seconds</c>: publishes ticks at the given rate in rounds of 5 ticks per
/// instrument, each stamped with its exchange time just before it is handed to the publisher; rounds start on
/// schedule whether or not earlier ones are confirmed (at most 32 outstanding), so the offered rate is the rate
/// asked for. After a warm-up at the same rate (<c>BENCH_WARMUP</c> seconds, default 10) it prints
/// <c>RECORDING</c>, publishes for the given seconds, waits 2 s for the last updates and prints <c>STOPPED</c>,
/// <c>OFFERED ticks/s</c> and <c>TRADES id,id,...</c> (the last trade id per instrument, so the ingest run
/// continues from there), after <c>STAMPS first t,t,...</c>: the index of the first recorded round and the stamp
/// (UTC ticks) of each recorded round.</item>
/// </list>
/// </summary>
internal static class LatencyClient
{
    internal const int TicksPerRound = 5;
    private const int MaxOutstandingRounds = 32;
    internal static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("BENCH_WARMUP"), out var w) ? w : 10);

    public static async Task<int> RunGatewayAsync(string prefix, int expectedUpdates)
    {
        await using var connection = new RabbitMqConnection(Settings(prefix), NullLogger<RabbitMqConnection>.Instance, TimeProvider.System);
        await using var updates = new RabbitMqUpdateStream(connection, new RabbitMqStatistics(), NullLogger<RabbitMqUpdateStream>.Instance, TimeProvider.System);
        var latencies = new TickLatencies(ClusterBenchmark.CreateInstruments(), expectedUpdates);
        using var transit = new PipelineMetricsCollector(recording: false);
        await using var subscription = updates.Subscribe(latencies);
        foreach (var instrument in ClusterBenchmark.CreateInstruments())
        {
            await subscription.AddAsync(instrument);
        }

        Console.WriteLine("READY");
        var gc = new GcSpan();
        (int First, long[] Stamps)? rounds = null;
        while (Console.ReadLine() is { } line)
        {
            if (line.StartsWith("STAMPS ", StringComparison.Ordinal))
            {
                var fields = line.Split(' ');
                rounds = (int.Parse(fields[1], CultureInfo.InvariantCulture), [.. fields[2].Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => long.Parse(t, CultureInfo.InvariantCulture))]);
            }
            else if (line == "START")
            {
                transit.Recording = true;
                gc = new GcSpan();
            }
            else if (line == "STOP")
            {
                latencies.Stop();
                transit.Recording = false;
                var transits = transit.Of("priceactors.updates.transit").Order().ToArray();
                Console.WriteLine(transits.Length == 0
                    ? "update messages silo -> gateway (transit): none received"
                    : string.Create(CultureInfo.InvariantCulture, $"update messages silo -> gateway (transit): p50 {Percentiles.Of(transits, 0.5):F1}, p90 {Percentiles.Of(transits, 0.9):F1}, p99 {Percentiles.Of(transits, 0.99):F1}, max {Percentiles.Of(transits, 1):F1} ms ({transits.Length:N0} messages)"));
                Console.WriteLine(gc.Describe("gateway process"));
                if (rounds is not { } published)
                {
                    Console.WriteLine("no STAMPS from the feed before STOP");
                    return 1;
                }

                await ReportShortAsync(latencies, (long)(published.First + published.Stamps.Length) * TicksPerRound);
                var (ticks, slices) = latencies.PerTick(published.First, published.Stamps, TicksPerRound, ClusterBenchmark.LatencySliceSeconds);
                Console.WriteLine("UPDATES " + latencies.PerUpdate(published.First, TicksPerRound).Fields());
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"TICKS {ticks.Fields()} {published.Stamps.LongLength * TicksPerRound * latencies.Instruments}"));
                Console.WriteLine("SLICES " + string.Join(',', slices.Select(slice => slice.Percentile(0.99).ToString("F1", CultureInfo.InvariantCulture))));
                return 0;
            }
        }

        return 1;
    }

    /// <summary>
    /// Says whether every tick's update reached the gateway by STOP (the feed stops 2 s after its last confirm); when not,
    /// waits up to 10 s more and prints <c>SHORT expected symbol:last,...</c> for the instruments still short.
    /// </summary>
    private static async Task ReportShortAsync(TickLatencies latencies, long expected)
    {
        var atStop = latencies.Short(expected);
        if (atStop.Count == 0)
        {
            return;
        }

        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < TimeSpan.FromSeconds(10) && latencies.Short(expected).Count > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        var still = latencies.Short(expected);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"updates short at STOP: {atStop.Count} instruments, {atStop.Sum(s => expected - s.Last)} ticks not covered; ") + (still.Count == 0
            ? string.Create(CultureInfo.InvariantCulture, $"all arrived within {waited.Elapsed.TotalSeconds:F1} s more")
            : string.Create(CultureInfo.InvariantCulture, $"{still.Count} instruments, {still.Sum(s => expected - s.Last)} ticks still not covered after 10 s more")));
        if (still.Count > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"SHORT {expected} {string.Join(',', still.Select(s => $"{s.Symbol}:{s.Last}"))}"));
        }
    }

    public static async Task<int> RunFeedAsync(string prefix, int rate, int seconds)
    {
        var instruments = ClusterBenchmark.CreateInstruments();
        await using var connection = new RabbitMqConnection(Settings(prefix), NullLogger<RabbitMqConnection>.Instance, TimeProvider.System);
        await using var feed = ClusterBenchmark.TickStream(connection);
        using var rounds = new PipelineMetricsCollector(recording: false);

        // The first WarmUp seconds at the same rate are not recorded: the pairs' first activations load from
        // PostgreSQL, and every process's hot paths are still being recompiled by the tiered JIT, which stalls a
        // 2-core machine for tens of milliseconds at a time (a silo that has run for a while is past that).
        var trade = new long[instruments.Length];
        var roundsPerSecond = Math.Max(1.0, rate / (double)(instruments.Length * TicksPerRound));
        var outstanding = new Queue<Task>();
        var stamps = new List<long>();
        var clock = Stopwatch.StartNew();
        Stopwatch? recorded = null;
        var (first, firstRound, gc) = (0L, 0, new GcSpan());
        long started = 0;
        while (recorded is null || recorded.Elapsed.TotalSeconds < seconds)
        {
            if (recorded is null && clock.Elapsed >= WarmUp)
            {
                (first, firstRound, gc, rounds.Recording) = (trade.Sum(), stamps.Count, new GcSpan(), true);
                recorded = Stopwatch.StartNew();
                Console.WriteLine("RECORDING");
            }

            // Every round due by now: a late timer is caught up, so the rate offered is the rate asked for.
            for (var due = (long)(clock.Elapsed.TotalSeconds * roundsPerSecond) + 1; started < due; started++)
            {
                var now = DateTimeOffset.UtcNow;
                stamps.Add(now.UtcTicks);
                outstanding.Enqueue(PublishRoundAsync(feed, instruments, trade, now));
                while (outstanding.Count > MaxOutstandingRounds)
                {
                    await outstanding.Dequeue();
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(1));
        }

        var offered = (trade.Sum() - first) / recorded.Elapsed.TotalSeconds;
        await Task.WhenAll(outstanding);
        rounds.Recording = false;
        await Task.Delay(TimeSpan.FromSeconds(2));
        var durations = rounds.Of("priceactors.ticks.publish_round").Order().ToArray();
        if (durations.Length > 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"feed publish rounds (publish -> every confirm): p50 {Percentiles.Of(durations, 0.5):F1}, p99 {Percentiles.Of(durations, 0.99):F1}, max {Percentiles.Of(durations, 1):F1} ms ({durations.Length:N0} rounds)"));
        }

        Console.WriteLine(gc.Describe("feed process"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"STAMPS {firstRound} {string.Join(',', stamps.Skip(firstRound))}"));
        Console.WriteLine("STOPPED");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"OFFERED {offered:F0}"));
        Console.WriteLine("TRADES " + string.Join(',', trade));
        return 0;
    }

    private static IOptions<RabbitMqOptions> Settings(string prefix) => Options.Create(new RabbitMqOptions
    {
        Uri = new Uri(Environment.GetEnvironmentVariable("PRICEACTORS_RABBITMQ") ?? throw new InvalidOperationException("PRICEACTORS_RABBITMQ is not set")),
        Prefix = prefix,
        PublishFlushInterval = TimeSpan.Parse(Environment.GetEnvironmentVariable("BENCH_PUBLISH_FLUSH") ?? "00:00:00.002", CultureInfo.InvariantCulture),
        TicksPerMessage = ClusterBenchmark.TicksPerMessage,
    });

    /// <summary>
    /// One round: <see cref="TicksPerRound"/> ticks of every instrument, all stamped <paramref name="now"/>; completes when all
    /// are confirmed. Round r carries trades 5r + 1 to 5r + 5 of every instrument.
    /// </summary>
    private static Task PublishRoundAsync(RabbitMqTickStream feed, InstrumentKey[] instruments, long[] trade, DateTimeOffset now)
    {
        var confirms = new Task[instruments.Length];
        for (var n = 0; n < instruments.Length; n++)
        {
            confirms[n] = feed.PublishAsync(ClusterBenchmark.Batch(instruments[n], ref trade[n], now, TicksPerRound), CancellationToken.None).AsTask();
        }

        return Task.WhenAll(confirms);
    }

    /// <summary>This process's GC pauses and collections from its creation to <see cref="Describe"/>.</summary>
    private sealed class GcSpan
    {
        private readonly TimeSpan pauses = GC.GetTotalPauseDuration();
        private readonly int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];

        public string Describe(string process) => string.Create(
            CultureInfo.InvariantCulture,
            $"GC paused {(GC.GetTotalPauseDuration() - pauses).TotalMilliseconds:F0} ms in {GC.CollectionCount(0) - collections[0]}/{GC.CollectionCount(1) - collections[1]}/{GC.CollectionCount(2) - collections[2]} gen0/1/2 collections; heap {GC.GetTotalMemory(false) / 1048576.0:F0} MiB, working set {Environment.WorkingSet / 1048576.0:F0} MiB ({process})");
    }
}
