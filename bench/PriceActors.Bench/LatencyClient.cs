using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Silo.RabbitMq;

namespace PriceActors.Bench;

/// <summary>
/// The feed and the gateway of the latency run, in a process of their own (<c>cluster-client</c>), as they are
/// in a deployment: the silo under test runs in the bench's main process. It subscribes to every instrument on
/// the update exchange (its own connection, as a gateway's), then publishes ticks at the given rate (its own
/// connection, as a feed's) in rounds of 5 ticks per instrument, each stamped with its exchange time just before
/// it is handed to the publisher, and records each update's arrival minus that stamp, after a warm-up at the
/// same rate (<c>BENCH_WARMUP</c> seconds, default 10). Rounds are started on
/// schedule whether or not earlier rounds are confirmed yet (at most 32 outstanding), so the offered rate is the rate asked for.
/// Talks to the main process on stdout: <c>RECORDING</c>, <c>STOPPED</c>, <c>RESULT offered p50 p99 max count</c>,
/// <c>TRADES id,id,...</c> (the last trade id per instrument, so the ingest run continues from there).
/// </summary>
internal static class LatencyClient
{
    private const int TicksPerRound = 5;
    private const int MaxOutstandingRounds = 32;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("BENCH_WARMUP"), out var w) ? w : 10);

    public static async Task<int> RunAsync(string prefix, int rate, int seconds)
    {
        var rabbit = new Uri(Environment.GetEnvironmentVariable("PRICEACTORS_RABBITMQ") ?? throw new InvalidOperationException("PRICEACTORS_RABBITMQ is not set"));
        var instruments = ClusterBenchmark.CreateInstruments();
        var options = Options.Create(new RabbitMqOptions
        {
            Uri = rabbit,
            Prefix = prefix,
            PublishFlushInterval = TimeSpan.Parse(Environment.GetEnvironmentVariable("BENCH_PUBLISH_FLUSH") ?? "00:00:00.002", CultureInfo.InvariantCulture),
        });
        await using var feedConnection = new RabbitMqConnection(options, NullLogger<RabbitMqConnection>.Instance, TimeProvider.System);
        await using var feed = new RabbitMqTickStream(
            feedConnection, Options.Create(new StreamOptions { PartitionCount = ClusterBenchmark.Partitions }), NoPartitionLifecycle.Instance,
            new RabbitMqStatistics(), NullLogger<RabbitMqTickStream>.Instance, TimeProvider.System);
        await using var gatewayConnection = new RabbitMqConnection(options, NullLogger<RabbitMqConnection>.Instance, TimeProvider.System);
        await using var updates = new RabbitMqUpdateStream(gatewayConnection, new RabbitMqStatistics(), NullLogger<RabbitMqUpdateStream>.Instance, TimeProvider.System);
        var latencies = new LatencyRecorder();
        await using var subscription = updates.Subscribe(latencies);
        foreach (var instrument in instruments)
        {
            await subscription.AddAsync(instrument);
        }

        // The first WarmUp seconds at the same rate are not recorded: the pairs' first activations load from
        // PostgreSQL, and both processes' hot paths are still being recompiled by the tiered JIT, which stalls a
        // 2-core machine for tens of milliseconds at a time (a silo that has run for a while is past that).
        var trade = new long[instruments.Length];
        var roundsPerSecond = Math.Max(1.0, rate / (double)(instruments.Length * TicksPerRound));
        var outstanding = new Queue<Task>();
        var clock = Stopwatch.StartNew();
        Stopwatch? recorded = null;
        var (first, pauses, gen0, gen1, gen2) = (0L, TimeSpan.Zero, 0, 0, 0);
        long started = 0;
        while (recorded is null || recorded.Elapsed.TotalSeconds < seconds)
        {
            if (recorded is null && clock.Elapsed >= WarmUp)
            {
                latencies.Start();
                (first, pauses, gen0, gen1, gen2) = (trade.Sum(), GC.GetTotalPauseDuration(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
                recorded = Stopwatch.StartNew();
                Console.WriteLine("RECORDING");
            }

            // Every round due by now: a late timer is caught up, so the rate offered is the rate asked for.
            for (var due = (long)(clock.Elapsed.TotalSeconds * roundsPerSecond) + 1; started < due; started++)
            {
                outstanding.Enqueue(PublishRoundAsync(feed, instruments, trade));
                while (outstanding.Count > MaxOutstandingRounds)
                {
                    await outstanding.Dequeue();
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(1));
        }

        var offered = (trade.Sum() - first) / recorded.Elapsed.TotalSeconds;
        await Task.WhenAll(outstanding);
        await Task.Delay(TimeSpan.FromSeconds(2));
        latencies.Stop();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"GC paused {(GC.GetTotalPauseDuration() - pauses).TotalMilliseconds:F0} ms in {GC.CollectionCount(0) - gen0}/{GC.CollectionCount(1) - gen1}/{GC.CollectionCount(2) - gen2} gen0/1/2 collections (feed and gateway process)"));
        Console.WriteLine("STOPPED");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT {offered:F0} {latencies.Percentile(0.50):F1} {latencies.Percentile(0.99):F1} {latencies.Percentile(1):F1} {latencies.Count}"));
        Console.WriteLine("TRADES " + string.Join(',', trade));
        return 0;
    }

    /// <summary>One round: <see cref="TicksPerRound"/> ticks of every instrument, stamped now; completes when all are confirmed.</summary>
    private static Task PublishRoundAsync(RabbitMqTickStream feed, InstrumentKey[] instruments, long[] trade)
    {
        var now = DateTimeOffset.UtcNow;
        var confirms = new Task[instruments.Length];
        for (var n = 0; n < instruments.Length; n++)
        {
            confirms[n] = feed.PublishAsync(ClusterBenchmark.Batch(instruments[n], ref trade[n], now, TicksPerRound), CancellationToken.None).AsTask();
        }

        return Task.WhenAll(confirms);
    }

    /// <summary>
    /// Exchange time of each update's last tick (stamped just before the feed publishes it) to the update's
    /// arrival at this gateway-side subscription of the update exchange; only between Start and Stop.
    /// </summary>
    private sealed class LatencyRecorder : IUpdateObserver
    {
        private readonly ConcurrentQueue<double> milliseconds = [];
        private volatile bool recording;

        public int Count => milliseconds.Count;

        public void Start() => recording = true;

        public void Stop() => recording = false;

        public void OnPriceUpdated(PriceUpdated update)
        {
            if (recording)
            {
                milliseconds.Enqueue((DateTimeOffset.UtcNow - update.Timestamp).TotalMilliseconds);
            }
        }

        public void OnMinuteBarClosed(MinuteBarClosed closed)
        {
        }

        public double Percentile(double p)
        {
            var sorted = milliseconds.Order().ToArray();
            return sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, p * sorted.Length)];
        }
    }
}
