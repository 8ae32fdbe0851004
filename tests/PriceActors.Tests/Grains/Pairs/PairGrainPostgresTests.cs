using PriceActors.Grains;
using PriceActors.Silo.Postgres;
using PriceActors.Tests.Silo.Postgres;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary>
/// The pair grain persisting to PostgreSQL: its cluster and store stopped, then a new cluster on a new store and pair
/// claim (another silo) takes the pair over.
/// </summary>
public sealed class PairGrainPostgresTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly InstrumentKey Btc = InstrumentKey.Parse("binance:BTCUSDT");
    private static readonly DateTimeOffset Day = new(DateTime.UtcNow.Date, TimeSpan.Zero);

    [Fact]
    public async Task OnActivateAsync_InANewClusterOnANewStore_RecoversEpochSequenceWindowAndBarsExactly()
    {
        var clock = new ManualTimeProvider(At(10, 0, 0));
        var storeA = database.CreateStore(fence: new PairFence(database.DataSource, "silo-a"));
        var pairA = await GrainPairTarget.StartAsync(Btc, clock, storeA, o => o.WindowLength = TimeSpan.FromMinutes(5));
        var id = 1000L;
        var random = new Random(7);
        for (var second = 5.0; second < 200; second += 7.3)
        {
            var time = At(10, 0, second).AddTicks(random.Next(10)); // sub-microsecond times must survive too
            clock.Advance(time - clock.GetUtcNow());
            var batch = Enumerable.Range(0, 3).Select(i => new Tick(
                Btc,
                Math.Round(60000m + (decimal)(random.NextDouble() * 100), 8),
                Math.Round((decimal)random.NextDouble(), 8) + 0.00000001m,
                id++,
                time.AddTicks(i),
                time.AddTicks(i + 5))).ToArray();
            await pairA.RecordAsync(batch);
        }

        clock.Advance(At(10, 3, 45) - clock.GetUtcNow()); // past the 10:02 bar's close timer, inside 10:03
        await pairA.SettleAsync(0, 3);
        var (periodFrom, periodTo) = (At(9, 58, 0), At(10, 4, 0));
        var (minuteFrom, minuteTo) = (At(10, 1, 0), At(10, 2, 0));
        var latestBefore = await pairA.LatestAsync();
        var statsBefore = await pairA.StatsAsync(periodFrom, periodTo);
        var minuteBefore = await pairA.StatsAsync(minuteFrom, minuteTo);
        var barsBefore = await pairA.BarsAsync(10);
        await pairA.DisposeAsync();
        await storeA.DisposeAsync();

        await using var storeB = database.CreateStore(fence: new PairFence(database.DataSource, "silo-b"));
        await using var pairB = await GrainPairTarget.StartAsync(Btc, clock, storeB, o => o.WindowLength = TimeSpan.FromMinutes(5));
        var latestAfter = await pairB.LatestAsync();
        var statsAfter = await pairB.StatsAsync(periodFrom, periodTo);
        var minuteAfter = await pairB.StatsAsync(minuteFrom, minuteTo);
        var barsAfter = await pairB.BarsAsync(10);
        var duplicate = await pairB.RecordAsync([new Tick(Btc, 1m, 1m, id - 1, At(10, 3, 50), At(10, 3, 50))]);
        var next = await pairB.RecordAsync([new Tick(Btc, 1m, 1m, id, At(10, 3, 50), At(10, 3, 50))]);

        Assert.Equal([At(10, 0, 0), At(10, 1, 0), At(10, 2, 0)], barsBefore.Closed.Select(b => b.Minute));
        Assert.Equal(At(10, 3, 0), barsBefore.Open?.Minute);
        Assert.Equal(id - 1000, latestBefore?.Sequence);
        Assert.Equal(latestBefore! with { FirstSequence = latestBefore.Sequence }, latestAfter);
        Assert.Equal(statsBefore, statsAfter);
        Assert.Equal(minuteBefore, minuteAfter);
        Assert.Equal(barsBefore.Closed, barsAfter.Closed);
        Assert.Equal(barsBefore.Open, barsAfter.Open);
        Assert.Equal(new TicksRecorded(0, 1, 0, latestBefore!.Sequence), duplicate);
        Assert.Equal(new TicksRecorded(1, 0, 0, latestBefore.Sequence + 1), next);
        Assert.Equal(At(10, 0, 5).ToUnixTimeMilliseconds(), latestAfter!.Epoch); // the first activation's clock
        Assert.Equal(1, pairB.Logs.CountOf(2002));
        Assert.Equal(latestBefore.Sequence + 1, await database.ScalarAsync<long>("SELECT last_sequence FROM pair_state WHERE symbol = 'BTCUSDT'"));
        Assert.Equal(3L, await database.ScalarAsync<long>("SELECT count(*) FROM minute_bars WHERE pair_name = 'BTCUSDT'"));
        Assert.Equal("silo-b", await database.ScalarAsync<string>(
            "SELECT o.owner_silo FROM partition_owners o JOIN pair_fence_keys k ON k.fence_key = o.partition WHERE k.pair_name = $1", Btc.Value));
    }

    private static DateTimeOffset At(int hour, int minute, double seconds) =>
        Day + new TimeSpan(hour, minute, 0) + TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
}
