using System.Globalization;
using Orleans.Runtime;
using PriceActors.Grains;
using PriceActors.Tests.Silo.Postgres;
using PriceActors.Tests.Support;
using Xunit.Abstractions;

namespace PriceActors.Tests.Silo.Cluster;

/// <summary>
/// Two silo processes on the real PostgreSQL with Orleans' activation rebalancer as configured (its first session
/// sooner than in production): every pair is activated on the first silo before the second joins, as after a start or a
/// rolling restart; the rebalancer moves a share of them to the second while the test keeps publishing, and every
/// trade is still stored once, in order.
/// </summary>
[Collection(ClusterProcessCollection.Name)]
public sealed class ClusterRebalancingTests(ITestOutputHelper output)
{
    private const int Queues = 4;
    private const int Instruments = 24;
    private const int TicksPerBatch = 5;
    private static readonly TimeSpan RoundPause = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task SecondSiloJoins_PairsAllOnTheFirst_RebalancerMovesAShareAndNoTradeIsLostOrRepeated()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: true);
        var clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];
        string[] Silo() =>
        [
            "--Postgres:ConnectionString", database.ConnectionString,
            "--Orleans:ClusterId", clusterId,
            "--Feeds:Synthetic:Exchanges:0", "test",
            .. Enumerable.Range(1, Instruments).SelectMany(i => new[] { $"--Feeds:Synthetic:Symbols:{i - 1}", $"SYM{i}USDT" }),
            "--Feeds:Keeper:Enabled", "false", "--Orleans:StreamQueues", Queues.ToString(CultureInfo.InvariantCulture),
            "--Orleans:Rebalancer:RebalancerDueTime", "00:00:05", "--Orleans:Rebalancer:SessionCyclePeriod", "00:00:02",
            "--Orleans:AdvertisedAddress", "127.0.0.1",
            "--Orleans:SiloPort", FreePort.Next().ToString(CultureInfo.InvariantCulture),
            "--Orleans:GatewayPort", FreePort.Next().ToString(CultureInfo.InvariantCulture),
            "--Logging:LogLevel:Default", "Warning",
        ];
        var instruments = Enumerable.Range(1, Instruments).Select(i => InstrumentKey.Create("test", $"SYM{i}USDT")).ToArray();
        var start = DateTimeOffset.UtcNow - TimeSpan.FromMinutes(1);
        var round = 0;

        await using var first = await SiloProcess.StartAsync(Silo());
        await using var feed = await ClusterTickFeed.StartAsync(database.ConnectionString, clusterId, Queues);
        var management = feed.Cluster.GetGrain<IManagementGrain>(0);
        var pairs = instruments.Select(i => feed.Cluster.GetGrain<IPairGrain>(i.Value).GetGrainId()).ToHashSet();
        async Task<Dictionary<SiloAddress, int>> PairsBySiloAsync() =>
            (await management.GetDetailedGrainStatistics()).Where(s => pairs.Contains(s.GrainId))
                .GroupBy(s => s.SiloAddress).ToDictionary(g => g.Key, g => g.Count());
        async Task PublishRoundAsync()
        {
            await Task.WhenAll(instruments.Select(i => feed.PublishAsync(TestTicks.Batch(i, round, start + TimeSpan.FromMilliseconds(round * 100), TicksPerBatch), TimeSpan.FromSeconds(10))));
            round++;
            await Task.Delay(RoundPause);
        }

        var started = DateTime.UtcNow;
        while ((await PairsBySiloAsync()).Values.Sum() < Instruments)
        {
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(60), "not every pair took trades within 60 s");
            await PublishRoundAsync();
        }

        var before = await PairsBySiloAsync();
        Assert.Equal(Instruments, Assert.Single(before).Value);

        await using var second = await SiloProcess.StartAsync(Silo());
        var joined = DateTime.UtcNow;
        var after = before;
        while (!(after.Count == 2 && after.Values.Min() >= Instruments / 4))
        {
            Assert.True(DateTime.UtcNow - joined < TimeSpan.FromSeconds(120), $"pairs by silo 120 s after the second joined: {string.Join(", ", after.Select(p => $"{p.Key} {p.Value}"))}");
            await PublishRoundAsync();
            after = await PairsBySiloAsync();
        }

        output.WriteLine($"{(DateTime.UtcNow - joined).TotalSeconds:F0} s after the second silo joined, pairs by silo: {string.Join(", ", after.Select(p => $"{p.Key} {p.Value}"))}");
        for (var i = 0; i < 10; i++)
        {
            await PublishRoundAsync();
        }

        var expected = (long)Instruments * round * TicksPerBatch;
        await Eventually.WaitUntilAsync(() => database.ScalarAsync<long>("SELECT count(*) FROM ticks"), n => n == expected, $"{expected} ticks in PostgreSQL", TimeSpan.FromSeconds(60));
        var perInstrument = (long)round * TicksPerBatch;
        var wrong = await database.ScalarAsync<long>($"""
            SELECT count(*) FROM (
              SELECT symbol FROM ticks GROUP BY symbol
              HAVING count(*) <> {perInstrument} OR count(DISTINCT trade_id) <> {perInstrument} OR max(trade_id) <> {perInstrument}
                  OR count(*) FILTER (WHERE sequence <> trade_id) <> 0 OR count(DISTINCT epoch) <> 1) wrong
            """);
        Assert.Equal(0, wrong);
        Assert.False(first.HasExited || second.HasExited, "a silo exited");
    }
}
