using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Storage;

namespace PriceActors.Tests.Grains.Storage;

public sealed class InMemoryStoreTests
{
    private static readonly InstrumentKey Btc = InstrumentKey.Parse("binance:BTCUSDT");
    private static readonly InstrumentKey Eth = InstrumentKey.Parse("binance:ETHUSDT");
    private static readonly DateTimeOffset TenOClock = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task LoadAsync_NothingStored_ReturnsNull()
    {
        var store = Store();

        Assert.Null(await store.LoadAsync(Btc, TenOClock, CancellationToken.None));
    }

    [Fact]
    public async Task AppendTicksAsync_Empty_StoresNothing()
    {
        var store = Store();

        await store.AppendTicksAsync(Btc, 42, ReadOnlyMemory<SequencedTick>.Empty, CancellationToken.None);

        Assert.Null(await store.LoadAsync(Btc, TenOClock, CancellationToken.None));
        Assert.Equal(new StoreStatistics("in-memory", 0, 0, 0, 0, 0), store.GetStatistics());
    }

    [Fact]
    public async Task LoadAsync_Since_ReturnsPositionLastTradeAndTicksFromThatTime()
    {
        var store = Store();
        var ticks = Enumerable.Range(1, 5).Select(i => Sequenced(i, TenOClock.AddSeconds(i * 10))).ToArray();
        await store.AppendTicksAsync(Btc, 42, ticks.AsMemory(0, 2), CancellationToken.None);
        await store.AppendTicksAsync(Btc, 42, ticks.AsMemory(2), CancellationToken.None);

        var history = await store.LoadAsync(Btc, TenOClock.AddSeconds(30), CancellationToken.None);
        var later = await store.LoadAsync(Btc, TenOClock.AddHours(1), CancellationToken.None);

        Assert.NotNull(history);
        Assert.Equal((42L, 5L, 1005L, ticks[^1]), (history.Epoch, history.LastSequence, history.LastTradeId, history.Last));
        Assert.Equal(ticks[2..], history.Ticks);
        Assert.NotNull(later);
        Assert.Empty(later.Ticks);
        Assert.Equal(ticks[^1], later.Last);
    }

    [Fact]
    public async Task AppendTicksAsync_CallerReusesBuffer_StoredTicksUnchanged()
    {
        var store = Store();
        var buffer = new[] { Sequenced(1, TenOClock) };
        await store.AppendTicksAsync(Btc, 1, buffer, CancellationToken.None);

        buffer[0] = Sequenced(99, TenOClock.AddSeconds(1));

        var history = await store.LoadAsync(Btc, TenOClock, CancellationToken.None);
        Assert.Equal(1, Assert.Single(history!.Ticks).Sequence);
    }

    [Fact]
    public async Task AppendTicksAsync_TicksOlderThanRetention_AreDroppedWithoutCountingAsEvicted()
    {
        var store = Store(o => o.TickRetention = TimeSpan.FromMinutes(1));
        await store.AppendTicksAsync(Btc, 1, new[] { Sequenced(1, TenOClock), Sequenced(2, TenOClock.AddSeconds(10)), Sequenced(3, TenOClock.AddSeconds(30)) }, CancellationToken.None);

        await store.AppendTicksAsync(Btc, 1, new[] { Sequenced(4, TenOClock.AddSeconds(70)) }, CancellationToken.None);

        var history = await store.LoadAsync(Btc, DateTimeOffset.MinValue, CancellationToken.None);
        Assert.Equal([2L, 3L, 4L], history!.Ticks.Select(t => t.Sequence));
        Assert.Equal(new StoreStatistics("in-memory", 1, 3, 0, 4, 0), store.GetStatistics());
    }

    [Fact]
    public async Task AppendTicksAsync_MoreThanMaxTicks_EvictsOldestAndCountsThem()
    {
        var store = Store(o => o.MaxTicksPerInstrument = 1_000);
        var ticks = Enumerable.Range(1, 1_200).Select(i => Sequenced(i, TenOClock.AddMilliseconds(i))).ToArray();

        await store.AppendTicksAsync(Btc, 1, ticks.AsMemory(0, 700), CancellationToken.None);
        await store.AppendTicksAsync(Btc, 1, ticks.AsMemory(700, 400), CancellationToken.None);
        await store.AppendTicksAsync(Btc, 1, ticks.AsMemory(1_100), CancellationToken.None);

        var history = await store.LoadAsync(Btc, DateTimeOffset.MinValue, CancellationToken.None);
        Assert.Equal(Enumerable.Range(201, 1_000).Select(i => (long)i), history!.Ticks.Select(t => t.Sequence));
        Assert.Equal(new StoreStatistics("in-memory", 1, 1_000, 0, 1_200, 200), store.GetStatistics());
    }

    [Fact]
    public async Task SaveBarAsync_SameMinuteTwice_KeepsTheLatestOnly()
    {
        var store = Store();
        await store.SaveBarAsync(Bar(Btc, TenOClock, count: 1), 1, CancellationToken.None);

        await store.SaveBarAsync(Bar(Btc, TenOClock, count: 2), 1, CancellationToken.None);
        await store.SaveBarAsync(Bar(Btc, TenOClock, count: 2), 1, CancellationToken.None);

        var history = await store.LoadAsync(Btc, TenOClock, CancellationToken.None);
        Assert.Equal(2, Assert.Single(history!.Bars).Count);
        Assert.Equal(1, store.GetStatistics().BarsStored);
    }

    [Fact]
    public async Task SaveBarAsync_BarsOlderThanRetention_AreDropped()
    {
        var store = Store(o => o.BarRetention = TimeSpan.FromHours(1));
        await store.SaveBarAsync(Bar(Btc, TenOClock, count: 1), 1, CancellationToken.None);
        await store.SaveBarAsync(Bar(Btc, TenOClock.AddMinutes(1), count: 1), 1, CancellationToken.None);

        await store.SaveBarAsync(Bar(Btc, TenOClock.AddMinutes(61), count: 1), 1, CancellationToken.None);

        var history = await store.LoadAsync(Btc, DateTimeOffset.MinValue, CancellationToken.None);
        Assert.Equal([TenOClock.AddMinutes(1), TenOClock.AddMinutes(61)], history!.Bars.Select(b => b.Minute));
        Assert.Equal(2, store.GetStatistics().BarsStored);
    }

    [Fact]
    public async Task LoadAsync_Since_ReturnsBarsFromThatMinuteOnOldestFirst()
    {
        var store = Store();
        await store.AppendTicksAsync(Btc, 7, new[] { Sequenced(1, TenOClock) }, CancellationToken.None);
        foreach (var minute in new[] { 3, 1, 2, 0 })
        {
            await store.SaveBarAsync(Bar(Btc, TenOClock.AddMinutes(minute), count: 1), 7, CancellationToken.None);
        }

        var history = await store.LoadAsync(Btc, TenOClock.AddMinutes(1), CancellationToken.None);

        Assert.Equal([TenOClock.AddMinutes(1), TenOClock.AddMinutes(2), TenOClock.AddMinutes(3)], history!.Bars.Select(b => b.Minute));
    }

    [Fact]
    public async Task AppendTicksAsync_ALaterEpoch_KeepsTheEarlierEpochsTicksAndBarsApart()
    {
        var store = Store();
        await store.AppendTicksAsync(Btc, 1, new[] { Sequenced(1, TenOClock), Sequenced(2, TenOClock.AddSeconds(1)) }, CancellationToken.None);
        await store.SaveBarAsync(Bar(Btc, TenOClock, count: 2), 1, CancellationToken.None);

        await store.AppendTicksAsync(Btc, 2, new[] { Sequenced(1, TenOClock.AddSeconds(2)) }, CancellationToken.None);
        await store.AppendTicksAsync(Btc, 1, new[] { Sequenced(3, TenOClock.AddSeconds(3)) }, CancellationToken.None);
        await store.SaveBarAsync(Bar(Btc, TenOClock, count: 9), 1, CancellationToken.None);

        var history = await store.LoadAsync(Btc, TenOClock, CancellationToken.None);
        Assert.Equal((2L, 1L), (history!.Epoch, history.LastSequence));
        Assert.Equal([TenOClock.AddSeconds(2)], history.Ticks.Select(t => t.Tick.ExchangeTime));
        Assert.Empty(history.Bars);
    }

    [Fact]
    public async Task GetStatistics_TwoInstruments_CountsEach()
    {
        var store = Store();

        await store.AppendTicksAsync(Btc, 1, new[] { Sequenced(1, TenOClock) }, CancellationToken.None);
        await store.AppendTicksAsync(Eth, 1, new[] { Sequenced(1, TenOClock, Eth), Sequenced(2, TenOClock, Eth) }, CancellationToken.None);
        await store.SaveBarAsync(Bar(Eth, TenOClock, count: 2), 1, CancellationToken.None);

        Assert.Equal(new StoreStatistics("in-memory", 2, 3, 1, 3, 0), store.GetStatistics());
        Assert.Equal(1, (await store.LoadAsync(Btc, TenOClock, CancellationToken.None))!.LastSequence);
        Assert.Equal(2, (await store.LoadAsync(Eth, TenOClock, CancellationToken.None))!.LastSequence);
    }

    private static InMemoryStore Store(Action<InMemoryStoreOptions>? configure = null)
    {
        var options = new InMemoryStoreOptions();
        configure?.Invoke(options);
        return new InMemoryStore(Options.Create(options));
    }

    private static SequencedTick Sequenced(long sequence, DateTimeOffset time, InstrumentKey? instrument = null) =>
        new(sequence, new Tick(instrument ?? Btc, 100m + sequence, 1m, 1_000 + sequence, time, time));

    private static MinuteBar Bar(InstrumentKey instrument, DateTimeOffset minute, long count) =>
        new(instrument.Exchange, instrument.Symbol, minute, 1m, 1m, 1m, 1m, 1m, 1m, count, count, count, Closed: true);
}
