using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Silo.Postgres;

namespace PriceActors.Tests.Silo.Postgres;

public sealed partial class PostgresStoreTests
{
    [Fact]
    public async Task SaveBarAsync_EveryPairClosingAtOnce_SavedInAFewTransactionsEachOnce()
    {
        var fence = new PartitionFence(database.DataSource);
        for (var p = 0; p < new StreamOptions().PartitionCount; p++)
        {
            await fence.ClaimAsync(p, "silo-a", CancellationToken.None);
        }

        await using var store = database.CreateStore(fence);
        var minute = Today.AddHours(10);
        var bars = Enumerable.Range(0, 400)
            .Select(i => new MinuteBar("closing", $"S{i}", minute, 10m, 10m + i, 9m, 10m, 10m, 10m, i + 1, 1m, i + 1, true))
            .ToArray();

        // As the pairs' close timers fire together at the minute's end.
        await Task.WhenAll(bars.Select(bar => store.SaveBarAsync(bar, CancellationToken.None).AsTask()));

        Assert.Equal(400L, await database.ScalarAsync<long>("SELECT count(*) FROM minute_bars WHERE exchange = 'closing'"));
        Assert.Equal(400L, await database.ScalarAsync<long>("SELECT count(*) FROM minute_bars WHERE exchange = 'closing' AND max_price = 10 + trade_count - 1"));
        // updated_at is the transaction's start: a transaction per bar gave 400 values.
        var transactions = await database.ScalarAsync<long>("SELECT count(DISTINCT updated_at) FROM minute_bars WHERE exchange = 'closing'");
        output.WriteLine($"400 bars saved in {transactions} transactions");
        Assert.InRange(transactions, 1, 10);
        Assert.Equal(400, store.GetStatistics().BarsStored);
    }

    [Fact]
    public async Task SaveBarAsync_FencedAndOwnedBarsTogether_FailsOnlyTheFencedOnesAndStoresNothingOfThem()
    {
        var partitions = new StreamOptions().PartitionCount;
        var fence = new PartitionFence(database.DataSource);
        var instruments = Enumerable.Range(0, 64).Select(i => InstrumentKey.Create("mixed", $"M{i}")).ToArray();
        var lostPartition = PartitionMap.PartitionOf(instruments[0], partitions);
        foreach (var partition in instruments.Select(i => PartitionMap.PartitionOf(i, partitions)).Distinct())
        {
            await fence.ClaimAsync(partition, "silo-a", CancellationToken.None);
        }

        var current = await new PartitionFence(database.DataSource).ClaimAsync(lostPartition, "silo-b", CancellationToken.None);
        await using var store = database.CreateStore(fence);
        var minute = Today.AddHours(11);

        var saves = instruments
            .Select(i => (Instrument: i, Save: store.SaveBarAsync(new MinuteBar(i.Exchange, i.Symbol, minute, 1m, 1m, 1m, 1m, 1m, 1m, 1, 1m, 1, true), CancellationToken.None).AsTask()))
            .ToArray();
        await Task.WhenAll(saves.Select(s => s.Save.ContinueWith(_ => { }, TaskScheduler.Default)));

        var lost = saves.Where(s => PartitionMap.PartitionOf(s.Instrument, partitions) == lostPartition).ToArray();
        Assert.NotEmpty(lost);
        Assert.All(lost, s => Assert.Equal(current, Assert.IsType<PartitionFencedException>(s.Save.Exception!.InnerException).Current));
        Assert.All(saves.Except(lost), s => Assert.True(s.Save.IsCompletedSuccessfully, s.Save.Exception?.InnerException?.ToString()));
        Assert.Equal((long)(instruments.Length - lost.Length), await database.ScalarAsync<long>("SELECT count(*) FROM minute_bars WHERE exchange = 'mixed'"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM minute_bars WHERE exchange = 'mixed' AND pair_name = ANY($1)", [lost.Select(s => s.Instrument.Symbol).ToArray()]));
    }
}
