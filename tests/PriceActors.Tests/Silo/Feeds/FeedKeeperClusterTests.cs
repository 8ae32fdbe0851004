using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.TestingHost;
using PriceActors.Grains;
using PriceActors.Grains.Storage;
using PriceActors.Silo;
using PriceActors.Silo.Feeds;
using PriceActors.Tests.Support;
using Xunit.Abstractions;

namespace PriceActors.Tests.Silo.Feeds;

/// <summary>
/// The feed keeper in a three-silo Orleans test cluster: every silo keeps the feeds, so when the silo a feed runs on is
/// killed (no graceful shutdown: the others learn of it from missed probes), the feed runs on another within 10 s and
/// the pairs go on from what the store has.
/// </summary>
public sealed class FeedKeeperClusterTests(ITestOutputHelper output)
{
    private static readonly string[] Exchanges = ["binance", "okx"];

    [Fact]
    public async Task KillSilo_FeedRanThere_FeedRunsElsewhereWithinTenSecondsAndPricesGoOn()
    {
        var store = new InMemoryStore(Options.Create(new InMemoryStoreOptions()));
        await using var cluster = TestSilos.Build(3, (_, host) =>
        {
            host.Logging.SetMinimumLevel(LogLevel.Warning);
            host.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Feeds:Synthetic:Exchanges:0"] = Exchanges[0],
                ["Feeds:Synthetic:Exchanges:1"] = Exchanges[1],
                ["Feeds:Synthetic:TicksPerSecond"] = "20",
                ["Feeds:Keeper:Interval"] = "00:00:01",
            });
            host.Services.AddGrainOptions();
            host.Services.AddSingleton<IMarketStore>(store);
            host.Services.AddFeedKeeper();
            host.Services.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
        });
        await cluster.DeployAsync();
        var grains = cluster.Client;
        var feed = grains.GetGrain<IExchangeFeedGrain>(Exchanges[0]);
        var pair = grains.GetGrain<IPairGrain>($"{Exchanges[0]}:BTCUSDT");
        var before = await Eventually.ValueAsync(pair.GetLatestPriceAsync, p => p is { Sequence: > 5 }, TimeSpan.FromSeconds(30));

        var feedSilo = await TestSilos.SiloOfAsync(grains, feed.GetGrainId());
        await cluster.KillSiloAsync(cluster.Silos.Single(s => s.SiloAddress == feedSilo));
        var killedAt = DateTime.UtcNow;

        var after = await Eventually.ValueAsync(
            async () => (Silo: await TestSilos.SiloOfAsync(grains, feed.GetGrainId()), Status: await feed.GetStatusAsync()),
            f => f.Silo is not null && f.Silo != feedSilo && f.Status is { State: FeedState.Running, TicksPublished: > 0 },
            TimeSpan.FromSeconds(30));
        var recovery = DateTime.UtcNow - killedAt;
        output.WriteLine($"feed {Exchanges[0]} ran on {after.Silo} {recovery.TotalSeconds:F2} s after {feedSilo} was killed");

        Assert.True(recovery < TimeSpan.FromSeconds(10), $"the feed ran again {recovery.TotalSeconds:F1} s after its silo was killed");
        Assert.NotEqual(feedSilo, after.Silo);
        var later = await Eventually.ValueAsync(pair.GetLatestPriceAsync, p => p!.Sequence > before!.Sequence, TimeSpan.FromSeconds(30));
        Assert.Equal(before!.Epoch, later!.Epoch);
        Assert.True(later.Sequence > before.Sequence);
    }
}
