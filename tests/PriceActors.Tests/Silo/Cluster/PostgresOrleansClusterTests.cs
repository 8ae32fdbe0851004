using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Streams;
using PriceActors.Grains;
using PriceActors.Silo;
using PriceActors.Silo.Cluster;
using PriceActors.Silo.Feeds;
using PriceActors.Silo.Postgres;
using PriceActors.Tests.Grains.Feeds.Live;
using PriceActors.Tests.Silo.Postgres;
using PriceActors.Tests.Support;
using Xunit.Abstractions;

namespace PriceActors.Tests.Silo.Cluster;

/// <summary>
/// Two Orleans silos, each a host of its own talking TCP on loopback, and a client, all on the ADO.NET providers over
/// the test PostgreSQL with the schema of <c>sql/</c> (006–010 are ours, written for the providers): they meet in the
/// membership table, the feed grain's ticks travel through the ADO.NET tick streams to pair grains on both silos, which
/// store them in PostgreSQL fenced per pair; when the silo running the feed leaves, the other silo's feed keeper brings
/// the feed back and the pairs that lived there go on from what PostgreSQL has.
/// </summary>
public sealed class PostgresOrleansClusterTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    private static readonly string[] Symbols = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "TONUSDT"];

    [Fact]
    public async Task Cluster_TwoSilosOnPostgres_PairsPriceThroughAdoNetStreamsAndTheFeedComesBackAfterItsSiloLeaves()
    {
        var clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];
        using var silo1 = await StartSiloAsync(clusterId);
        using var silo2 = await StartSiloAsync(clusterId);
        using var client = await ClusterClientHost.StartAsync(database.ConnectionString, clusterId);
        var grains = client.Services.GetRequiredService<IClusterClient>();

        var hosts = await Eventually.ValueAsync(
            () => grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true),
            h => h.Count == 2,
            TimeSpan.FromSeconds(30));
        Assert.Equal(2, hosts.Count);

        var first = await Eventually.ValueAsync(() => LatestAsync(grains), p => p.All(x => x is not null), TimeSpan.FromSeconds(30));
        Assert.All(first, p => Assert.True(p!.Sequence > 0));
        var stored = await database.ScalarAsync<long>("SELECT count(*) FROM orleansstreamdeadletter");
        Assert.Equal(0, stored);

        // Stop the silo the feed runs on; the other one's keeper starts the feed there.
        var feedSilo = await FeedSiloAsync(grains);
        var (leaving, staying) = Address(silo1) == feedSilo ? (silo1, silo2) : (silo2, silo1);
        await leaving.StopAsync();
        var stoppedAt = DateTime.UtcNow;
        var resumed = await Eventually.ValueAsync(
            async () => (Silo: await FeedSiloAsync(grains), Status: await grains.GetGrain<IExchangeFeedGrain>("binance").GetStatusAsync()),
            f => f.Silo == Address(staying) && f.Status.State == FeedState.Running,
            TimeSpan.FromSeconds(30));
        var recovery = DateTime.UtcNow - stoppedAt;
        output.WriteLine($"feed binance ran on {resumed.Silo} {recovery.TotalSeconds:F2} s after {feedSilo} stopped");
        Assert.True(recovery < TimeSpan.FromSeconds(10), $"the feed ran again after {recovery.TotalSeconds:F1} s");

        var later = await Eventually.ValueAsync(
            () => LatestAsync(grains),
            p => p.Zip(first).All(x => x.First!.Sequence > x.Second!.Sequence),
            TimeSpan.FromSeconds(30));

        // Every pair went on from what PostgreSQL had: the same epoch, later sequences, and its trades stored.
        Assert.All(later.Zip(first), x => Assert.Equal(x.Second!.Epoch, x.First!.Epoch));
        Assert.All(later.Zip(first), x => Assert.True(x.First!.Sequence > x.Second!.Sequence));
        foreach (var symbol in Symbols)
        {
            Assert.True(await database.ScalarAsync<long>("SELECT last_sequence FROM pair_state WHERE exchange = 'binance' AND symbol = $1", symbol) >= first.Single(p => p!.Symbol == symbol)!.Sequence);
        }
        Assert.Equal(FeedState.Running, resumed.Status.State);
    }

    [Fact]
    public async Task FeedMode_SurvivesARestartOfTheCluster_AndEachEpochsStoredTradesStayApart()
    {
        // A database of its own: the mode is stored per database (and service id), not per cluster id.
        await using var own = await PostgresDatabase.CreateAsync(migrate: true);
        var clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];
        var format = FakeFormat.Of("binance");
        await using var exchange = await FakeExchange.StartAsync(format);
        var live = new Dictionary<string, string?>
        {
            ["Feeds:Binance:Url"] = exchange.Url.ToString(),
            ["Feeds:Binance:Symbols:0"] = "BTCUSDT",
            ["Feeds:Binance:Symbols:1"] = "ETHUSDT",
            ["Feeds:Kraken:Enabled"] = "false",
            ["Feeds:Coinbase:Enabled"] = "false",
            ["Feeds:Bybit:Enabled"] = "false",
            ["Feeds:Okx:Enabled"] = "false",
            ["Feeds:Connection:ReconnectDelay"] = "00:00:00.050",
        };
        var btc = InstrumentKey.Create("binance", "BTCUSDT");
        List<FakeTrade> sent;
        FeedModeStatus switched;
        using (var silo = await StartSiloAsync(clusterId, live, own))
        using (var client = await ClusterClientHost.StartAsync(own.ConnectionString, clusterId))
        {
            var grains = client.Services.GetRequiredService<IClusterClient>();
            var test = await grains.GetGrain<IFeedModeGrain>(IFeedModeGrain.Key).GetAsync();
            Assert.Equal(FeedMode.Test, test.Mode);
            var synthetic = await Eventually.ValueAsync(() => grains.GetGrain<IPairGrain>(btc.Value).GetLatestPriceAsync(), p => p is { Sequence: > 5 }, TimeSpan.FromSeconds(30));
            Assert.Equal(test.Epoch, synthetic!.Epoch);

            switched = await grains.GetGrain<IFeedModeGrain>(IFeedModeGrain.Key).SwitchAsync(FeedMode.Live);
            Assert.True(switched.Epoch > test.Epoch);
            await exchange.WaitForSubscriptionAsync(1);
            sent = await new LiveTape(format).SendAsync(exchange, 10);
            await Eventually.ValueAsync(
                () => grains.GetGrain<IPairGrain>(btc.Value).GetLatestPriceAsync(),
                p => p is { } x && x.Epoch == switched.Epoch && x.Sequence == 5,
                TimeSpan.FromSeconds(30));
            await silo.StopAsync();
        }

        // The whole cluster went down; a new silo comes up in the stored mode and the pair reloads its live epoch only.
        using var restarted = await StartSiloAsync(clusterId, live, own);
        using var client2 = await ClusterClientHost.StartAsync(own.ConnectionString, clusterId);
        var grains2 = client2.Services.GetRequiredService<IClusterClient>();
        var stored = await grains2.GetGrain<IFeedModeGrain>(IFeedModeGrain.Key).GetAsync();
        Assert.Equal((switched.Mode, switched.Epoch, switched.ChangedAt), (stored.Mode, stored.Epoch, stored.ChangedAt));
        await exchange.WaitForSubscriptionAsync(2);
        var latest = await grains2.GetGrain<IPairGrain>(btc.Value).GetLatestPriceAsync();
        var btcSent = sent.Where(t => t.Key == btc).ToList();
        Assert.Equal((switched.Epoch, 5L, decimal.Parse(btcSent[^1].Price, CultureInfo.InvariantCulture)), (latest!.Epoch, latest.Sequence, latest.Price));
        var now = DateTimeOffset.UtcNow;
        var stats = await grains2.GetGrain<IPairGrain>(btc.Value).GetWindowStatsAsync(now.AddMinutes(-10), now.AddMinutes(1));
        Assert.Equal((5L, btcSent.Sum(t => decimal.Parse(t.Quantity, CultureInfo.InvariantCulture))), (stats.Count, stats.Volume));
        Assert.Equal(2L, await own.ScalarAsync<long>("SELECT count(DISTINCT epoch) FROM tick_batches WHERE exchange = 'binance' AND symbol = 'BTCUSDT'"));
    }

    private static async Task<PriceUpdated?[]> LatestAsync(IClusterClient grains) =>
        await Task.WhenAll(Symbols.Select(s => grains.GetGrain<IPairGrain>($"binance:{s}").GetLatestPriceAsync()));

    private static async Task<SiloAddress?> FeedSiloAsync(IClusterClient grains)
    {
        var feed = grains.GetGrain<IExchangeFeedGrain>("binance").GetGrainId();
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics.FirstOrDefault(s => s.GrainId == feed)?.SiloAddress;
    }

    private static SiloAddress Address(IHost silo) => silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    private async Task<IHost> StartSiloAsync(string clusterId, IReadOnlyDictionary<string, string?>? settings = null, PostgresDatabase? on = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Feeds:Synthetic:Exchanges:0"] = "binance",
            ["Feeds:Synthetic:TicksPerSecond"] = "20",
            ["Feeds:Keeper:Interval"] = "00:00:01",
        });
        for (var i = 0; i < Symbols.Length; i++)
        {
            builder.Configuration[$"Feeds:Synthetic:Symbols:{i}"] = Symbols[i];
        }

        builder.Configuration["Postgres:ConnectionString"] = (on ?? database).ConnectionString;
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:AdvertisedAddress"] = "127.0.0.1",
            ["Orleans:SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:StreamQueues"] = "4",
            ["Orleans:Membership:ProbeTimeout"] = "00:00:01",
            ["Orleans:Membership:NumMissedProbesLimit"] = "2",
            ["Orleans:Membership:NumVotesForDeathDeclaration"] = "1",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.AddClusterSilo();
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
