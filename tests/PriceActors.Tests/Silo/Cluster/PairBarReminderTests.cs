using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Reminders;
using Orleans.Runtime;
using PriceActors.Grains;
using PriceActors.Grains.Pairs;
using PriceActors.Silo.Cluster;
using PriceActors.Tests.Grains;
using PriceActors.Tests.Grains.Pairs;
using PriceActors.Tests.Silo.Postgres;
using PriceActors.Tests.Support;
using Xunit.Abstractions;

namespace PriceActors.Tests.Silo.Cluster;

/// <summary>
/// The pairs' bar reminders on the ADO.NET reminder table in PostgreSQL: two cluster silos (each a host of its own on
/// loopback); the grains run on a manual clock and Orleans' reminders 30 times faster than real time. Pairs take trades
/// of one minute, the silo holding most of them leaves, no further trade comes, and the grains' clock passes the minute:
/// the pairs of the silo that left have no activation until their reminders wake them on the other silo, which closes
/// their bars from the stored trades.
/// </summary>
public sealed class PairBarReminderTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    private readonly LogRecorder logs = new();

    // Orleans' reminders run 30 times faster: their least period, a minute, passes in 2 s.
    private readonly FastClock reminderClock = new(30);

    [Fact]
    public async Task SiloLeaves_PairsWithOpenBarsAndNoFurtherTrades_TheirRemindersCloseTheBarsOnTheOtherSilo()
    {
        var clusterId = "reminders-" + Guid.NewGuid().ToString("N")[..8];
        var start = DateTimeOffset.UtcNow;
        var clock = new ManualTimeProvider(new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, start.Minute, 10, TimeSpan.Zero));
        using var silo1 = await StartSiloAsync(clusterId, clock);
        using var silo2 = await StartSiloAsync(clusterId, clock);
        using var client = await ClusterClientHost.StartAsync(database.ConnectionString, clusterId);
        var grains = client.Services.GetRequiredService<IClusterClient>();
        await Eventually.ValueAsync(() => grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true), h => h.Count == 2, TimeSpan.FromSeconds(30));

        // Trades of the clock's minute to 16 pairs; the silo holding most of them leaves (placement is Orleans').
        var minute = new DateTimeOffset(clock.GetUtcNow().UtcTicks - (clock.GetUtcNow().UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);
        var pairs = Enumerable.Range(0, 16).Select(i => InstrumentKey.Parse($"binance:R{i}USDT")).ToList();
        var at = clock.GetUtcNow();
        foreach (var (instrument, i) in pairs.Select((p, i) => (p, i)))
        {
            var recorded = await grains.GetGrain<IPairGrain>(instrument.Value).RecordTicksAsync(
                new TickBatch(instrument, new[] { new Tick(instrument, 100m + i, 1m, 1, at, at), new Tick(instrument, 101m + i, 2m, 2, at, at) }), 0);
            Assert.Equal(2, recorded.Accepted);
        }

        var placed = await Task.WhenAll(pairs.Select(p => SiloOfAsync(grains, p)));
        var leavingHost = placed.Count(s => s == Address(silo1)) >= placed.Count(s => s == Address(silo2)) ? silo1 : silo2;
        var onLeaving = pairs.Where((_, i) => placed[i] == Address(leavingHost)).ToList();
        Assert.NotEmpty(onLeaving);
        Assert.Equal(0, await ClosedBarsAsync(pairs, minute));

        await leavingHost.StopAsync();

        // The grains' clock passes the minute; the reminders (1 minute, 2 s of real time) come within a few seconds.
        clock.Advance(TimeSpan.FromMinutes(2));
        var waited = System.Diagnostics.Stopwatch.StartNew();
        long closed;
        while ((closed = await ClosedBarsAsync(pairs, minute)) < pairs.Count && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(100);
        }

        Assert.True(closed == pairs.Count, $"{closed} of {pairs.Count} bars closed {waited.Elapsed.TotalSeconds:F0} s after the silo left; {onLeaving.Count} pairs were on it; "
            + string.Join("; ", logs.Entries.Where(e => e.Level >= LogLevel.Warning).TakeLast(10).Select(e => $"{e.Category}: {e.Message}")));
        output.WriteLine($"{pairs.Count} bars closed ({onLeaving.Count} by reminders) {waited.Elapsed.TotalSeconds:F1} s after the silo left");

        // The bars hold the trades, and the pairs of the silo that left went on with their epoch and sequence.
        foreach (var (instrument, i) in pairs.Select((p, i) => (p, i)))
        {
            Assert.Equal(101m + i, await database.ScalarAsync<decimal>(
                "SELECT close_price FROM minute_bars WHERE exchange = $1 AND pair_name = $2 AND \"timestamp\" = $3", instrument.Exchange, instrument.Symbol, minute));
        }

        var woken = await grains.GetGrain<IPairGrain>(onLeaving[0].Value).GetLatestPriceAsync();
        Assert.Equal(2, woken!.Sequence);
    }

    private Task<long> ClosedBarsAsync(List<InstrumentKey> pairs, DateTimeOffset minute) =>
        database.ScalarAsync<long>(
            "SELECT count(*) FROM minute_bars WHERE closed AND exchange = 'binance' AND pair_name = ANY($1) AND \"timestamp\" = $2",
            pairs.Select(p => p.Symbol).ToArray(), minute);

    private static Task<SiloAddress?> SiloOfAsync(IClusterClient grains, InstrumentKey instrument) =>
        TestSilos.SiloOfAsync(grains, grains.GetGrain<IPairGrain>(instrument.Value).GetGrainId());

    private static SiloAddress Address(IHost silo) => silo.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;

    private async Task<IHost> StartSiloAsync(string clusterId, ManualTimeProvider clock)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Feeds:Keeper:Enabled"] = "false",
            ["Postgres:ConnectionString"] = database.ConnectionString,
            ["Orleans:ClusterId"] = clusterId,
            ["Orleans:AdvertisedAddress"] = "127.0.0.1",
            ["Orleans:SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
            ["Orleans:StreamQueues"] = "2",
            ["Orleans:Membership:ProbeTimeout"] = "00:00:01",
            ["Orleans:Membership:NumMissedProbesLimit"] = "2",
            ["Orleans:Membership:NumVotesForDeathDeclaration"] = "1",
        });
        builder.AddClusterSilo();
        builder.Services.AddKeyedSingleton<TimeProvider>(TimeProviderNames.Grains, new GrainClock(clock));
        builder.Services.AddKeyedSingleton<TimeProvider>(ReminderTimeProviderNames.Reminders, reminderClock);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
