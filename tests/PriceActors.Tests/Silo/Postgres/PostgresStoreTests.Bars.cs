using PriceActors.Grains;
using PriceActors.Silo.Postgres;

namespace PriceActors.Tests.Silo.Postgres;

public sealed partial class PostgresStoreTests
{
    [Fact]
    public async Task SaveBarAsync_EveryPairClosingAtOnce_SavedInAFewTransactionsEachOnce()
    {
        await using var store = database.CreateStore();
        var minute = Today.AddHours(10);
        var bars = Enumerable.Range(0, 400)
            .Select(i => new MinuteBar("closing", $"S{i}", minute, 10m, 10m + i, 9m, 10m, 10m, 10m, i + 1, 1m, i + 1, true))
            .ToArray();
        await ClaimAllAsync(store, bars.Select(b => InstrumentKey.Create(b.Exchange, b.Symbol)));

        // As the pairs' close timers fire together at the minute's end.
        await Task.WhenAll(bars.Select(bar => store.SaveBarAsync(bar, 1, CancellationToken.None).AsTask()));

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
        var instruments = Enumerable.Range(0, 64).Select(i => InstrumentKey.Create("mixed", $"M{i}")).ToArray();
        await using var store = database.CreateStore();
        await ClaimAllAsync(store, instruments);

        // Another silo takes every third pair over.
        var newOwner = new PairFence(database.DataSource, "silo-b");
        var taken = instruments.Where((_, i) => i % 3 == 0).ToArray();
        var current = await Task.WhenAll(taken.Select(i => newOwner.ClaimAsync(i, CancellationToken.None).AsTask()));
        var minute = Today.AddHours(11);

        var saves = instruments
            .Select(i => (Instrument: i, Save: store.SaveBarAsync(new MinuteBar(i.Exchange, i.Symbol, minute, 1m, 1m, 1m, 1m, 1m, 1m, 1, 1m, 1, true), 1, CancellationToken.None).AsTask()))
            .ToArray();
        await Task.WhenAll(saves.Select(s => s.Save.ContinueWith(_ => { }, TaskScheduler.Default)));

        var lost = saves.Where(s => taken.Contains(s.Instrument)).ToArray();
        Assert.All(lost, s =>
        {
            var error = Assert.IsType<PairFencedException>(s.Save.Exception!.InnerException);
            Assert.Equal((s.Instrument, current[Array.IndexOf(taken, s.Instrument)]), (error.Instrument, error.Current));
        });
        Assert.All(saves.Except(lost), s => Assert.True(s.Save.IsCompletedSuccessfully, s.Save.Exception?.InnerException?.ToString()));
        Assert.Equal((long)(instruments.Length - lost.Length), await database.ScalarAsync<long>("SELECT count(*) FROM minute_bars WHERE exchange = 'mixed'"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM minute_bars WHERE exchange = 'mixed' AND pair_name = ANY($1)", [lost.Select(s => s.Instrument.Symbol).ToArray()]));
    }
}
