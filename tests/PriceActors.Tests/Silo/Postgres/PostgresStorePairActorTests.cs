using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Silo.Postgres;
using PriceActors.Tests.Grains;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Silo.Postgres;

/// <summary>A pair actor persisting to PostgreSQL, stopped and started again on a new runtime, store and fence claim.</summary>
public sealed class PostgresStorePairActorTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);
    private static readonly InstrumentKey Btc = InstrumentKey.Parse("binance:BTCUSDT");
    private static readonly DateTimeOffset Day = new(DateTime.UtcNow.Date, TimeSpan.Zero);

    [Fact]
    public async Task OnActivateAsync_OnANewRuntimeAfterRestart_RecoversEpochSequenceWindowAndBarsExactly()
    {
        var clock = new ManualTimeProvider(At(10, 0, 0));
        var partition = PartitionMap.PartitionOf(Btc, new StreamOptions().PartitionCount);
        var fenceA = new PartitionFence(database.DataSource);
        await fenceA.ClaimAsync(partition, "silo-a", CancellationToken.None);
        var storeA = database.CreateStore(fenceA);
        var hostA = GrainHost.StartPairs(clock, storeA, o => o.WindowLength = TimeSpan.FromMinutes(5));
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
            await hostA.Pair(Btc).AskAsync(new RecordTicks(batch)).WaitAsync(Deadline);
        }

        clock.Advance(At(10, 3, 45) - clock.GetUtcNow()); // past the 10:02 bar's close timer, inside 10:03
        var period = new GetWindowStats(At(9, 58, 0), At(10, 4, 0));
        var minute = new GetWindowStats(At(10, 1, 0), At(10, 2, 0));
        var latestBefore = await hostA.Pair(Btc).AskAsync(GetLatestPrice.Instance).WaitAsync(Deadline);
        var statsBefore = await hostA.Pair(Btc).AskAsync(period).WaitAsync(Deadline);
        var minuteBefore = await hostA.Pair(Btc).AskAsync(minute).WaitAsync(Deadline);
        var barsBefore = await hostA.Pair(Btc).AskAsync(new GetMinuteBars(10)).WaitAsync(Deadline);
        await hostA.Runtime.StopAsync().WaitAsync(Deadline);
        await hostA.DisposeAsync();
        await storeA.DisposeAsync();

        // Another silo takes the partition over: new fence claim, new store, new runtime.
        var fenceB = new PartitionFence(database.DataSource);
        await fenceB.ClaimAsync(partition, "silo-b", CancellationToken.None);
        await using var storeB = database.CreateStore(fenceB);
        await using var hostB = GrainHost.StartPairs(clock, storeB, o => o.WindowLength = TimeSpan.FromMinutes(5));
        var latestAfter = await hostB.Pair(Btc).AskAsync(GetLatestPrice.Instance).WaitAsync(Deadline);
        var statsAfter = await hostB.Pair(Btc).AskAsync(period).WaitAsync(Deadline);
        var minuteAfter = await hostB.Pair(Btc).AskAsync(minute).WaitAsync(Deadline);
        var barsAfter = await hostB.Pair(Btc).AskAsync(new GetMinuteBars(10)).WaitAsync(Deadline);
        var duplicate = await hostB.Pair(Btc).AskAsync(new RecordTicks(new[] { new Tick(Btc, 1m, 1m, id - 1, At(10, 3, 50), At(10, 3, 50)) })).WaitAsync(Deadline);
        var next = await hostB.Pair(Btc).AskAsync(new RecordTicks(new[] { new Tick(Btc, 1m, 1m, id, At(10, 3, 50), At(10, 3, 50)) })).WaitAsync(Deadline);

        Assert.Equal(3, barsBefore.Closed.Count); // 10:00, 10:01, 10:02 closed; 10:03 open
        Assert.NotNull(barsBefore.Open);
        Assert.Equal(latestBefore, latestAfter);
        Assert.Equal(statsBefore, statsAfter);
        Assert.Equal(minuteBefore, minuteAfter);
        Assert.Equal(barsBefore.Closed, barsAfter.Closed);
        Assert.Equal(barsBefore.Open, barsAfter.Open);
        Assert.Equal(new TicksRecorded(0, 1, 0, latestBefore!.Sequence), duplicate);
        Assert.Equal(new TicksRecorded(1, 0, 0, latestBefore.Sequence + 1), next);
        Assert.Equal(At(10, 0, 5).ToUnixTimeMilliseconds(), latestAfter!.Epoch); // the first activation's clock
        Assert.Equal(latestBefore.Sequence + 1, await database.ScalarAsync<long>("SELECT last_sequence FROM pair_state WHERE symbol = 'BTCUSDT'"));
        Assert.Equal(3L, await database.ScalarAsync<long>("SELECT count(*) FROM minute_bars WHERE pair_name = 'BTCUSDT'"));
    }

    private static DateTimeOffset At(int hour, int minute, double seconds) =>
        Day + new TimeSpan(hour, minute, 0) + TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));
}
