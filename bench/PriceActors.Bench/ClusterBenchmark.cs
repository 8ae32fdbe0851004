using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Silo.Cluster;
using PriceActors.Silo.RabbitMq;

namespace PriceActors.Bench;

/// <summary>
/// Cluster ingest on the real servers (scripts/servers.sh): first the raw broker rate (publish with
/// confirms → consume → ack, no actors, no database), then the same ticks through a cluster silo
/// (broker → PairActor → PostgreSQL group commit → ack), both measured by this tool in one run, then
/// tick → update-stream latency at a paced rate.
/// </summary>
internal static class ClusterBenchmark
{
    private static readonly int Partitions = int.TryParse(Environment.GetEnvironmentVariable("BENCH_PARTITIONS"), out var p) ? p : 16;
    private const int Instruments = 200;
    private const int BatchSize = 50;
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

    // Ticks the saturating publisher may be ahead of the consumers: 10 rounds of every instrument's batch.
    private static readonly long Window = long.TryParse(Environment.GetEnvironmentVariable("BENCH_WINDOW"), out var w) ? w : 100_000;

    private static long[]? PacedTrades { get; set; }

    public static async Task<int> RunAsync(int seconds, int pacedRate)
    {
        var postgres = Environment.GetEnvironmentVariable("PRICEACTORS_POSTGRES");
        var rabbit = Environment.GetEnvironmentVariable("PRICEACTORS_RABBITMQ");
        if (string.IsNullOrEmpty(postgres) || string.IsNullOrEmpty(rabbit))
        {
            Console.Error.WriteLine("cluster: start the servers first: eval \"$(scripts/servers.sh start)\"");
            return 2;
        }

        var instruments = Enumerable.Range(1, Instruments).Select(i => InstrumentKey.Create("bench", $"SYM{i}USDT")).ToArray();
        Console.WriteLine($"cluster: {Instruments} instruments, {Partitions} partitions, {BatchSize} ticks per batch, {Environment.ProcessorCount} cores");

        var raw = await RawBrokerAsync(rabbit, instruments, seconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  raw broker (publish+confirm -> consume -> ack):   {raw:N0} ticks/s"));

        var database = "bench_" + Guid.NewGuid().ToString("N")[..12];
        await ExecuteAsync(postgres, $"CREATE DATABASE {database}");
        try
        {
            var connection = new NpgsqlConnectionStringBuilder(postgres) { Database = database }.ConnectionString;
            var (ingest, latencies, latencyRate) = await ThroughSiloAsync(connection, rabbit, instruments, seconds, pacedRate);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                  cluster ingest (broker -> PairActor -> PostgreSQL -> ack): {ingest:N0} ticks/s = {ingest / raw:P0} of raw
                  tick -> gateway update latency at {latencyRate:N0} ticks/s offered: p50 {latencies.Percentile(0.50):F1} ms, p99 {latencies.Percentile(0.99):F1} ms, max {latencies.Percentile(1):F1} ms ({latencies.Count:N0} updates)
                """));
        }
        finally
        {
            await ExecuteAsync(postgres, $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
        }

        return 0;
    }

    private static async Task<double> RawBrokerAsync(string rabbit, InstrumentKey[] instruments, int seconds)
    {
        var options = Options.Create(new RabbitMqOptions { Uri = new Uri(rabbit), Prefix = "bench-raw-" + Guid.NewGuid().ToString("N")[..8] });
        await using var connection = new RabbitMqConnection(options, NullLogger<RabbitMqConnection>.Instance, TimeProvider.System);
        await using var stream = new RabbitMqTickStream(
            connection, Options.Create(new StreamOptions { PartitionCount = Partitions }), NoPartitionLifecycle.Instance,
            new RabbitMqStatistics(), NullLogger<RabbitMqTickStream>.Instance, TimeProvider.System);
        long consumed = 0;
        using var stop = new CancellationTokenSource();
        var consuming = stream.ConsumeAsync((batch, _) => { Interlocked.Add(ref consumed, batch.Ticks.Length); return ValueTask.CompletedTask; }, stop.Token);
        await stream.Subscribed;
        var rate = await MeasureAsync(stream, instruments, seconds, () => Task.FromResult(Interlocked.Read(ref consumed)));
        await stop.CancelAsync();
        await consuming;
        await DeleteTopologyAsync(connection, options.Value.Prefix);
        return rate;
    }

    private static async Task<(double Ingest, LatencyRecorder Latencies, int LatencyRate)> ThroughSiloAsync(
        string postgres, string rabbit, InstrumentKey[] instruments, int seconds, int pacedRate)
    {
        var prefix = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        if (Environment.GetEnvironmentVariable("BENCH_FLUSH_LOG") == "1")
        {
            // One line per group-commit flush with the time of each statement (event 5008).
            builder.Logging.AddFilter("PriceActors.Silo.Postgres", LogLevel.Debug);
        }

        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Postgres:ConnectionString"] = postgres,
            ["RabbitMq:Uri"] = rabbit,
            ["RabbitMq:Prefix"] = prefix,
            ["Streams:PartitionCount"] = Partitions.ToString(CultureInfo.InvariantCulture),
            ["Cluster:RunFeeds"] = "false",
            ["Postgres:FlushInterval"] = Environment.GetEnvironmentVariable("BENCH_FLUSH") ?? "00:00:00.005",
            ["RabbitMq:PrefetchPerPartition"] = Environment.GetEnvironmentVariable("BENCH_PREFETCH") ?? "32",
            ["Postgres:Writers"] = Environment.GetEnvironmentVariable("BENCH_WRITERS") ?? "2",
        });
        builder.Services.AddClusterSilo(builder.Configuration);
        using var host = builder.Build();
        await host.StartAsync();
        var silo = host.Services.GetRequiredService<RabbitMqTickStream>();
        await silo.Subscribed;

        // The feed and the gateway side: their own connection, as separate processes would have.
        var options = Options.Create(new RabbitMqOptions { Uri = new Uri(rabbit), Prefix = prefix });
        await using var connection = new RabbitMqConnection(options, NullLogger<RabbitMqConnection>.Instance, TimeProvider.System);
        await using var feed = new RabbitMqTickStream(
            connection, Options.Create(new StreamOptions { PartitionCount = Partitions }), NoPartitionLifecycle.Instance,
            new RabbitMqStatistics(), NullLogger<RabbitMqTickStream>.Instance, TimeProvider.System);
        // Latency first, at a paced rate, before the saturating ingest run leaves a backlog in the queues.
        await using var updates = new RabbitMqUpdateStream(connection, new RabbitMqStatistics(), NullLogger<RabbitMqUpdateStream>.Instance, TimeProvider.System);
        var latencies = new LatencyRecorder();
        await using var subscription = updates.Subscribe(latencies);
        foreach (var instrument in instruments)
        {
            await subscription.AddAsync(instrument);
        }

        var offered = await PacedAsync(feed, instruments, pacedRate, seconds, latencies);
        await subscription.DisposeAsync();
        var ingest = await MeasureAsync(feed, instruments, seconds, () => DurableTicksAsync(postgres));
        await host.StopAsync();
        await DeleteTopologyAsync(connection, prefix);
        return (ingest, latencies, offered);
    }

    /// <summary>
    /// Publishes as fast as confirms allow, but never more than <see cref="Window"/> ticks ahead of what the
    /// counter has seen arrive (closed loop: a feed that outruns the consumers only grows the broker's
    /// backlog, and the broker's CPU spent on that backlog is taken from the consumers on a shared machine).
    /// The rate is what the counter saw move over the measured seconds, after a 2 s warm-up.
    /// </summary>
    private static async Task<double> MeasureAsync(RabbitMqTickStream stream, InstrumentKey[] instruments, int seconds, Func<Task<long>> counter)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 2));
        var trade = PacedTrades?.ToArray() ?? new long[instruments.Length];
        var baseline = await counter();
        var seen = baseline;
        var sampling = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Volatile.Write(ref seen, await counter());
                await Task.Delay(TimeSpan.FromMilliseconds(20));
            }
        });
        long published = 0;
        var publishing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                if (published - (Volatile.Read(ref seen) - baseline) > Window)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(1));
                    continue;
                }

                var now = DateTimeOffset.UtcNow;
                await Task.WhenAll(instruments.Select((i, n) => stream.PublishAsync(Batch(i, ref trade[n], now), CancellationToken.None).AsTask()));
                published += instruments.Length * BatchSize;
            }
        });
        await Task.Delay(TimeSpan.FromSeconds(2));
        var (start, clock) = (await counter(), Stopwatch.StartNew());
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var rate = (await counter() - start) / clock.Elapsed.TotalSeconds;
        await Task.WhenAll(publishing, sampling);
        return rate;
    }

    /// <summary>Publishes at the target rate (or as close as confirms allow); returns the rate actually offered.</summary>
    private static async Task<int> PacedAsync(RabbitMqTickStream stream, InstrumentKey[] instruments, int rate, int seconds, LatencyRecorder latencies)
    {
        // Warm-up, not recorded: the pairs' first activations load from PostgreSQL and the JIT compiles.
        var warmup = Stopwatch.StartNew();
        var warmTrade = new long[instruments.Length];
        while (warmup.Elapsed < WarmUp)
        {
            var now = DateTimeOffset.UtcNow;
            await Task.WhenAll(instruments.Select((i, n) => stream.PublishAsync(Batch(i, ref warmTrade[n], now, BatchSize / 10), CancellationToken.None).AsTask()));
            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        latencies.Start();

        // Trade ids continue where the paced run stops, so the ingest run's ticks are not duplicates.
        var trade = PacedTrades = warmTrade;
        var first = trade.Sum();
        var clock = Stopwatch.StartNew();
        var rounds = rate / (instruments.Length * BatchSize / 10);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(1000.0 / Math.Max(1, rounds)));
        var end = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < end && await timer.WaitForNextTickAsync())
        {
            var now = DateTimeOffset.UtcNow;
            await Task.WhenAll(instruments.Select((i, n) => stream.PublishAsync(Batch(i, ref trade[n], now, BatchSize / 10), CancellationToken.None).AsTask()));
        }

        var offered = (int)((trade.Sum() - first) / clock.Elapsed.TotalSeconds);
        await Task.Delay(TimeSpan.FromSeconds(2));
        latencies.Stop();
        return offered;
    }

    private static TickBatch Batch(InstrumentKey instrument, ref long trade, DateTimeOffset now, int size = BatchSize)
    {
        var ticks = new Tick[size];
        for (var i = 0; i < size; i++)
        {
            trade++;
            ticks[i] = new Tick(instrument, 100m + (trade % 100 * 0.01m), 1m, trade, now, now);
        }

        return new TickBatch(instrument, ticks);
    }

    /// <summary>Deletes the run's queues and exchange: whatever backlog a saturating run left must not stay on the broker.</summary>
    private static async Task DeleteTopologyAsync(RabbitMqConnection connection, string prefix)
    {
        var names = new RabbitMqNames(prefix);
        var open = await connection.GetAsync(CancellationToken.None);
        await using var channel = await open.CreateChannelAsync();
        for (var p = 0; p < Partitions; p++)
        {
            await channel.QueueDeleteAsync(names.TickQueue(p), ifUnused: false, ifEmpty: false);
        }

        await channel.ExchangeDeleteAsync(names.UpdateExchange, ifUnused: false);
    }

    private static async Task<long> DurableTicksAsync(string connection)
    {
        await using var data = new NpgsqlConnection(connection);
        await data.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT coalesce(sum(last_sequence), 0)::bigint FROM pair_state", data);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task ExecuteAsync(string connection, string sql)
    {
        await using var data = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connection) { Pooling = false }.ConnectionString);
        await data.OpenAsync();
        await using var command = new NpgsqlCommand(sql, data);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Exchange time of each update's last tick (stamped just before the feed publishes it) to the update's
    /// arrival at this gateway-side subscription of the update exchange; only between Start and Stop.
    /// </summary>
    private sealed class LatencyRecorder : IUpdateObserver
    {
        private readonly ConcurrentBag<double> milliseconds = [];
        private volatile bool recording;

        public int Count => milliseconds.Count;

        public void Start() => recording = true;

        public void Stop() => recording = false;

        public void OnPriceUpdated(PriceUpdated update)
        {
            if (recording)
            {
                milliseconds.Add((DateTimeOffset.UtcNow - update.Timestamp).TotalMilliseconds);
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
