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
            var (ingest, p50, p99, latencyRate) = await ThroughSiloAsync(connection, rabbit, instruments, seconds, pacedRate);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                  cluster ingest (broker -> PairActor -> PostgreSQL -> ack): {ingest:N0} ticks/s = {ingest / raw:P0} of raw
                  tick -> update stream latency at {latencyRate:N0} ticks/s offered: p50 {p50:F1} ms, p99 {p99:F1} ms
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
        var rate = await MeasureAsync(stream, instruments, seconds, () => Interlocked.Read(ref consumed));
        await stop.CancelAsync();
        await consuming;
        await DeleteTopologyAsync(connection, options.Value.Prefix);
        return rate;
    }

    private static async Task<(double Ingest, double P50, double P99, int LatencyRate)> ThroughSiloAsync(
        string postgres, string rabbit, InstrumentKey[] instruments, int seconds, int pacedRate)
    {
        var prefix = "bench-" + Guid.NewGuid().ToString("N")[..8];
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Postgres:ConnectionString"] = postgres,
            ["RabbitMq:Uri"] = rabbit,
            ["RabbitMq:Prefix"] = prefix,
            ["Streams:PartitionCount"] = Partitions.ToString(CultureInfo.InvariantCulture),
            ["Cluster:RunFeeds"] = "false",
            ["Postgres:FlushInterval"] = Environment.GetEnvironmentVariable("BENCH_FLUSH") ?? "00:00:00.005",
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

        var offered = await PacedAsync(feed, instruments, pacedRate, seconds);
        await subscription.DisposeAsync();
        var ingest = await MeasureAsync(feed, instruments, seconds, () => DurableTicksAsync(postgres).GetAwaiter().GetResult());
        await host.StopAsync();
        await DeleteTopologyAsync(connection, prefix);
        return (ingest, latencies.Percentile(0.50), latencies.Percentile(0.99), offered);
    }

    /// <summary>Publishes as fast as confirms allow for the given time; the rate is what the counter saw move.</summary>
    private static async Task<double> MeasureAsync(RabbitMqTickStream stream, InstrumentKey[] instruments, int seconds, Func<long> counter)
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 2));
        var trade = PacedTrades?.ToArray() ?? new long[instruments.Length];
        var publishing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var now = DateTimeOffset.UtcNow;
                await Task.WhenAll(instruments.Select((i, n) => stream.PublishAsync(Batch(i, ref trade[n], now), CancellationToken.None).AsTask()));
            }
        });
        await Task.Delay(TimeSpan.FromSeconds(2));
        var (start, clock) = (counter(), Stopwatch.StartNew());
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var rate = (counter() - start) / clock.Elapsed.TotalSeconds;
        await publishing;
        return rate;
    }

    /// <summary>Publishes at the target rate (or as close as confirms allow); returns the rate actually offered.</summary>
    private static async Task<int> PacedAsync(RabbitMqTickStream stream, InstrumentKey[] instruments, int rate, int seconds)
    {
        // Trade ids continue where the paced run stops, so the ingest run's ticks are not duplicates.
        var trade = PacedTrades = new long[instruments.Length];
        var clock = Stopwatch.StartNew();
        var rounds = rate / (instruments.Length * BatchSize / 10);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(1000.0 / Math.Max(1, rounds)));
        var end = DateTime.UtcNow.AddSeconds(seconds);
        while (DateTime.UtcNow < end && await timer.WaitForNextTickAsync())
        {
            var now = DateTimeOffset.UtcNow;
            await Task.WhenAll(instruments.Select((i, n) => stream.PublishAsync(Batch(i, ref trade[n], now, BatchSize / 10), CancellationToken.None).AsTask()));
        }

        var offered = (int)(trade.Sum() / clock.Elapsed.TotalSeconds);
        await Task.Delay(TimeSpan.FromSeconds(2));
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

    /// <summary>Exchange time of each update's last tick (set at publish) to its arrival here.</summary>
    private sealed class LatencyRecorder : IUpdateObserver
    {
        private readonly ConcurrentBag<double> milliseconds = [];

        public void OnPriceUpdated(PriceUpdated update) => milliseconds.Add((DateTimeOffset.UtcNow - update.Timestamp).TotalMilliseconds);

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
