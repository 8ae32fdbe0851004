using System.Diagnostics;
using PriceActors.Tests.Silo.Postgres;
using PriceActors.Tests.Silo.RabbitMq;
using PriceActors.Tests.Support;
using Xunit.Abstractions;

namespace PriceActors.Tests.Silo.Cluster;

/// <summary>
/// Silo processes on the real broker and database under a steady feed (the test, so it knows what was
/// produced): a fourth silo joins and gets its fair share, then one silo is stopped with SIGTERM and hands
/// its partitions over; every tick ends up in PostgreSQL exactly once throughout.
/// </summary>
[Collection(ClusterProcessCollection.Name)]
public sealed class PartitionBalancerTests(ITestOutputHelper output)
{
    private const int Partitions = 16;
    private const int TicksPerBatch = 5;
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Balancing_FourthSiloJoinsThenOneIsStoppedWithSigterm_FairSharesOneOwnerEachAndNoTickLostOrDuplicated()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: true);
        await using var bus = new RabbitMqTestBus(Partitions);
        string[] settings =
        [
            "--Postgres:ConnectionString", database.ConnectionString,
            .. bus.ProcessSettings(),
            "--Membership:HeartbeatInterval", "00:00:00.5",
            "--Membership:DeadAfter", "00:00:03",
            "--Cluster:Balancing:Interval", "00:00:00.5",
            "--Cluster:Balancing:LiveWithin", "00:00:02",
            "--Cluster:Balancing:CeilingReleaseCooldown", "00:00:02",
            "--Logging:LogLevel:Default", "Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information",
            "--Logging:LogLevel:PriceActors.Silo.Cluster.PartitionBalancer", "Information",
        ];
        await using var first = await SiloProcess.StartAsync(settings);
        await using var second = await SiloProcess.StartAsync(settings);
        await using var third = await SiloProcess.StartAsync(settings);
        Assert.Contains(first.Log, l => l.Contains("Content root path", StringComparison.Ordinal) && l.Contains("/Silo\"", StringComparison.Ordinal));
        await using var feed = new SteadyFeed(bus.NewTickStream(), Partitions, TicksPerBatch, TimeSpan.FromMilliseconds(100));
        feed.Start();
        try
        {
            await WaitBalancedAsync(database, silos: 3, "three silos");

            var joining = Stopwatch.StartNew();
            await using var fourth = await SiloProcess.StartAsync(settings);
            var balanced = await WaitBalancedAsync(database, silos: 4, "a fourth silo joining");
            output.WriteLine($"4th silo started; balanced after {joining.Elapsed.TotalSeconds:0.0} s (process start included): {balanced}");
            Assert.Equal(Partitions / 4, balanced.Owned[await SiloIdAsync(database, fourth)].Length);

            var victim = await SiloIdAsync(database, second);
            var victimPartitions = balanced.Owned[victim];
            var stopped = DateTimeOffset.UtcNow;
            Assert.Equal(0, await second.StopAsync(TimeSpan.FromSeconds(30)));
            output.WriteLine($"SIGTERM → exit 0 in {(DateTimeOffset.UtcNow - stopped).TotalMilliseconds:0} ms");
            Assert.Equal("dead", await database.ScalarAsync<string>("SELECT status FROM silos WHERE silo_id = $1", victim));
            Assert.Contains(second.Log, l => l.Contains("is shutting down", StringComparison.Ordinal));

            // Each of its partitions is claimed by another silo on that silo's first delivery.
            await Eventually.WaitUntilAsync(
                () => database.ScalarAsync<long>("SELECT count(*) FROM partition_owners WHERE owner_silo = $1", victim),
                n => n == 0,
                $"partitions {string.Join(',', victimPartitions)} of the stopped silo owned by others",
                Within);
            var handedOver = await database.ScalarAsync<DateTime>("SELECT max(claimed_at) FROM partition_owners WHERE partition = ANY($1)", victimPartitions);
            var takeover = new DateTimeOffset(handedOver, TimeSpan.Zero) - stopped;
            output.WriteLine($"its {victimPartitions.Length} partitions owned by others {takeover.TotalMilliseconds:0} ms after SIGTERM");
            Assert.InRange(takeover, TimeSpan.Zero, TimeSpan.FromSeconds(5));
            output.WriteLine($"three silos again: {await WaitBalancedAsync(database, silos: 3, "three silos after the stop")}");
            foreach (var silo in new[] { first, second, third, fourth })
            {
                foreach (var line in silo.Log.Where(l => l.Contains("hands partitions", StringComparison.Ordinal) || !l.Contains("\"LogLevel\":\"Information", StringComparison.Ordinal)))
                {
                    output.WriteLine(line);
                }
            }

            // The silo stopped gracefully: no error, and every partition went by the graceful release.
            Assert.DoesNotContain(second.Log, l => l.Contains("\"LogLevel\":\"Error", StringComparison.Ordinal) || l.Contains("\"LogLevel\":\"Critical", StringComparison.Ordinal));
        }
        finally
        {
            await feed.StopAsync();
        }

        await AssertEveryTickOnceAsync(database, feed);
    }

    private async Task AssertEveryTickOnceAsync(PostgresDatabase database, SteadyFeed feed)
    {
        var expected = feed.TicksPublished;
        await Eventually.WaitUntilAsync(() => database.ScalarAsync<long>("SELECT count(*) FROM ticks"), n => n >= expected, $"{expected} ticks in PostgreSQL", Within);
        await using var check = database.DataSource.CreateCommand("""
            SELECT exchange || ':' || symbol, count(*), count(DISTINCT trade_id), min(trade_id), max(trade_id),
                   min(sequence), max(sequence), count(DISTINCT sequence), count(DISTINCT epoch)
            FROM ticks GROUP BY 1 ORDER BY 1
            """);
        await using var reader = await check.ExecuteReaderAsync();
        var rows = 0;
        var perInstrument = (long)feed.Rounds * TicksPerBatch;
        while (await reader.ReadAsync())
        {
            rows++;
            Assert.Equal(
                (reader.GetString(0), perInstrument, perInstrument, 1L, perInstrument, 1L, perInstrument, perInstrument, 1L),
                (reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8)));
        }

        Assert.Equal(feed.Instruments.Count, rows);
        output.WriteLine($"{expected} ticks of {feed.Instruments.Count} instruments durable, each once, sequences contiguous, one epoch each");
    }

    private static async Task<string> SiloIdAsync(PostgresDatabase database, SiloProcess silo) =>
        await database.ScalarAsync<string>("SELECT silo_id FROM silos WHERE process_id = $1 ORDER BY started_at DESC LIMIT 1", silo.ProcessId);

    private static async Task<ClusterSnapshot> WaitBalancedAsync(PostgresDatabase database, int silos, string what)
    {
        var deadline = DateTime.UtcNow + Within;
        while (true)
        {
            var snapshot = await ClusterSnapshot.ReadAsync(database);
            if (snapshot.IsBalanced(Partitions, silos))
            {
                return snapshot;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Not balanced after {what} within {Within}: {snapshot}");
            await Task.Delay(200);
        }
    }
}
