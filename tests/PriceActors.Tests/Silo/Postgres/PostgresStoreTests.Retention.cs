using System.Globalization;
using PriceActors.Grains;
using PriceActors.Silo.Postgres;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Silo.Postgres;

public sealed partial class PostgresStoreTests
{
    [Fact]
    public async Task EnforceRetentionAsync_OldDailyPartition_DroppedWholeWhileTodayIsKept()
    {
        // A clock far from the other tests' days, so their partitions are not touched.
        var clock = new ManualTimeProvider(new DateTimeOffset(2031, 3, 20, 12, 0, 0, TimeSpan.Zero));
        var instrument = InstrumentKey.Parse("retention:OLD");
        await using var store = await OwnerAsync(instrument, o => o.TickRetention = 7, clock);
        await store.EnforceRetentionAsync(CancellationToken.None);
        await database.ExecuteAsync("SELECT ensure_tick_partitions('2031-03-10', '2031-03-10')");
        var old = Ticks(instrument, new DateTimeOffset(2031, 3, 10, 8, 0, 0, TimeSpan.Zero), 1, 5);
        var today = Ticks(instrument, new DateTimeOffset(2031, 3, 20, 8, 0, 0, TimeSpan.Zero), 6, 5);
        await store.AppendTicksAsync(instrument, 1, old, CancellationToken.None);
        await store.AppendTicksAsync(instrument, 1, today, CancellationToken.None);

        var result = await store.EnforceRetentionAsync(CancellationToken.None);

        Assert.Equal(new DateOnly(2031, 3, 13), result.Cutoff);
        Assert.True(result.Dropped >= 1, $"dropped {result.Dropped}");
        Assert.False(await PartitionExistsAsync("ticks_20310310"));
        Assert.True(await PartitionExistsAsync("ticks_20310320"));
        Assert.True(await PartitionExistsAsync("ticks_20310322"));
        Assert.Equal(today, (await store.LoadAsync(instrument, old[0].Tick.ExchangeTime, CancellationToken.None))!.Ticks);
    }

    [Fact]
    public async Task LoadAsync_AfterEveryTickExpired_ReturnsThePositionFromPairState()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2032, 6, 30, 12, 0, 0, TimeSpan.Zero));
        var instrument = InstrumentKey.Parse("retention:EXPIRED");
        await using var store = await OwnerAsync(instrument, o => o.TickRetention = 2, clock);
        var day = new DateTimeOffset(2032, 6, 1, 9, 0, 0, TimeSpan.Zero);
        await database.ExecuteAsync($"SELECT ensure_tick_partitions('{day:yyyy-MM-dd}', '{day:yyyy-MM-dd}')");
        var ticks = Ticks(instrument, day, 1, 8);
        await store.AppendTicksAsync(instrument, 99, ticks, CancellationToken.None);

        await store.EnforceRetentionAsync(CancellationToken.None);
        var history = await store.LoadAsync(instrument, day, CancellationToken.None);

        Assert.False(await PartitionExistsAsync("ticks_" + day.ToString("yyyyMMdd", CultureInfo.InvariantCulture)));
        Assert.Empty(history!.Ticks);
        Assert.Equal((99L, 8L, ticks[^1].Tick.TradeId), (history.Epoch, history.LastSequence, history.LastTradeId));
        Assert.Equal(ticks[^1], history.Last);
    }

    private async Task<bool> PartitionExistsAsync(string name) =>
        await database.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = $1", name) == 1;
}
