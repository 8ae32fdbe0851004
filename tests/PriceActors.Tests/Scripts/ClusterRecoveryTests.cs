using System.Net;
using PriceActors.Grains;
using PriceActors.Tests.Gateway.Hosting;
using PriceActors.Tests.Silo.Postgres;
using PriceActors.Tests.Support;
using Xunit.Abstractions;

namespace PriceActors.Tests.Scripts;

/// <summary>
/// The loopback cluster (two Orleans silos, a gateway, nginx) under steady load while PostgreSQL — membership, the
/// durable tick streams and the store — is stopped and started again: no process restarts, the silos'
/// <c>/health/ready</c> says what is missing while it is missing, everything resumes on its own, and every tick the
/// feed published is durable exactly once and in order. The test is the feed, so it knows exactly what was produced.
/// </summary>
[Collection(ClusterGatewayCollection.Name)]
public sealed class ClusterRecoveryTests(ITestOutputHelper output)
{
    private const int TicksPerBatch = 5;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly InstrumentKey[] Instruments =
        [.. from e in new[] { "binance", "okx" } from s in new[] { "BTCUSDT", "ETHUSDT" } select InstrumentKey.Create(e, s)];

    private static readonly string[] Settings =
    [
        "--Feeds:Keeper:Enabled", "false",
        "--Feeds:Synthetic:Exchanges:0", "binance",
        "--Feeds:Synthetic:Exchanges:1", "okx",
        "--Feeds:Synthetic:Symbols:0", "BTCUSDT",
        "--Feeds:Synthetic:Symbols:1", "ETHUSDT",
        "--Logging:LogLevel:Default", "Warning",
        "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information",
    ];

    [Fact]
    public async Task StopAndStartDatabase_UnderLoad_ProcessesStayUpSayWhyAndLoseNothing()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: false);
        await using var cluster = await LocalCluster.StartAsync(2, 1, database.Name, Settings);
        string[] names = ["silo1", "silo2", "gateway1"];
        var pids = names.Select(cluster.ProcessId).ToArray();
        var silos = cluster.Silos;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        await using var client = await SignalRJsonClient.ConnectAsync(new Uri(cluster.Nginx, "/hubs/prices"));
        await using var feed = new Feed(await ClusterTickFeed.StartAsync(database.ConnectionString, cluster.ClusterId, queues: 8));
        feed.Start();
        await client.SubscribeAsync([.. Instruments.Select(i => i.Value)]);
        var seen = await LatestSequenceAsync(client, TimeSpan.FromSeconds(3));

        try
        {
            TestServers.Run("stop-postgres");
            foreach (var silo in silos)
            {
                await Readiness.WaitForAsync(http, silo, HttpStatusCode.ServiceUnavailable, output, "postgres");
            }
        }
        finally
        {
            TestServers.Run("start-postgres");
        }

        foreach (var process in silos.Append(cluster.Gateways[0]))
        {
            await Readiness.WaitForAsync(http, process, HttpStatusCode.OK, output);
        }

        await UpdatesResumeAsync(client, seen, "the database's restart");
        var produced = await feed.StopAsync();

        Assert.Equal(pids, names.Select(cluster.ProcessId));
        Assert.All(pids, pid => Assert.False(System.Diagnostics.Process.GetProcessById(pid).HasExited, $"process {pid} exited"));
        var expected = produced.Values.Sum();
        await Eventually.WaitUntilAsync(() => database.ScalarAsync<long>("SELECT count(*) FROM ticks"), n => n == expected, $"{expected} ticks in PostgreSQL", TimeSpan.FromSeconds(90));
        await using var check = database.DataSource.CreateCommand("""
            SELECT exchange || ':' || symbol, count(*), count(DISTINCT trade_id), min(trade_id), max(trade_id), count(DISTINCT sequence), max(sequence),
                   count(*) FILTER (WHERE sequence <> trade_id)
            FROM ticks GROUP BY 1 ORDER BY 1
            """);
        await using var reader = await check.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
            var n = produced[reader.GetString(0)];
            Assert.Equal(
                (n, n, 1L, n, n, n, 0L),
                (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7)));
        }

        Assert.Equal(Instruments.Length, rows);
        output.WriteLine($"{expected} ticks produced across the outage, each durable once and in order with contiguous sequences; no process restarted");
    }

    private static async Task<long> LatestSequenceAsync(SignalRJsonClient client, TimeSpan during)
    {
        var latest = 0L;
        using var deadline = new CancellationTokenSource(during);
        try
        {
            await foreach (var message in client.Messages.ReadAllAsync(deadline.Token))
            {
                if (message.Target == "priceUpdated")
                {
                    latest = Math.Max(latest, message.Argument.GetProperty("sequence").GetInt64());
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Long enough.
        }

        return latest;
    }

    private async Task<long> UpdatesResumeAsync(SignalRJsonClient client, long before, string after)
    {
        using var deadline = new CancellationTokenSource(Patience);
        await foreach (var message in client.Messages.ReadAllAsync(deadline.Token))
        {
            var sequence = message.Target == "priceUpdated" ? message.Argument.GetProperty("sequence").GetInt64() : 0;
            if (sequence > before)
            {
                output.WriteLine($"updates resumed after {after}: sequence {sequence} > {before}");
                return sequence;
            }
        }

        throw new InvalidOperationException("unreachable");
    }

    /// <summary>Publishes a batch per instrument every 20 ms, each until it is taken (the feed waits out the outage).</summary>
    private sealed class Feed(ClusterTickFeed stream) : IAsyncDisposable
    {
        private readonly CancellationTokenSource stopping = new();
        private readonly Dictionary<string, long> produced = Instruments.ToDictionary(i => i.Value, _ => 0L);
        private Task running = Task.CompletedTask;

        public void Start() => running = Task.Run(RunAsync);

        public async Task<Dictionary<string, long>> StopAsync()
        {
            await stopping.CancelAsync();
            await running;
            return produced;
        }

        public async ValueTask DisposeAsync()
        {
            await stopping.CancelAsync();
            await running;
            await stream.DisposeAsync();
        }

        private async Task RunAsync()
        {
            while (!stopping.IsCancellationRequested)
            {
                var now = DateTimeOffset.UtcNow;
                await Task.WhenAll(Instruments.Select(i => PublishAsync(i, now)));
                await Task.Delay(20);
            }
        }

        private async Task PublishAsync(InstrumentKey instrument, DateTimeOffset now)
        {
            var first = produced[instrument.Value] + 1;
            var ticks = Enumerable.Range(0, TicksPerBatch)
                .Select(i => new Tick(instrument, 100m + ((first + i) % 97 * 0.01m), 0.5m, first + i, now, now))
                .ToArray();

            // Not cancelled by stopping: a batch begun is published, so the count stays exact.
            await stream.PublishAsync(new TickBatch(instrument, ticks), TimeSpan.FromMinutes(3));
            lock (produced)
            {
                produced[instrument.Value] = first + TicksPerBatch - 1;
            }
        }
    }
}
