using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Streams;

namespace PriceActors.Tests.Grains.Streams;

public sealed class InMemoryBusTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    // Partitions among 16, pinned by PartitionMapTests: BTCUSDT and a:B share partition 0, ETHUSDT has 2.
    private static readonly InstrumentKey Btc = InstrumentKey.Parse("binance:BTCUSDT");
    private static readonly InstrumentKey SameAsBtc = InstrumentKey.Parse("a:B");
    private static readonly InstrumentKey Eth = InstrumentKey.Parse("bybit:ETHUSDT");

    [Fact]
    public void PublishAsync_Batch_GoesToItsInstrumentsPartition()
    {
        var bus = Bus(partitions: 16, capacity: 1);
        Assert.Equal(PartitionMap.PartitionOf(SameAsBtc, 16), PartitionMap.PartitionOf(Btc, 16));
        Assert.NotEqual(PartitionMap.PartitionOf(Eth, 16), PartitionMap.PartitionOf(Btc, 16));

        var btc = bus.PublishAsync(Batch(Btc, 1), CancellationToken.None).AsTask();
        var eth = bus.PublishAsync(Batch(Eth, 1), CancellationToken.None).AsTask();
        var sameAsBtc = bus.PublishAsync(Batch(SameAsBtc, 1), CancellationToken.None).AsTask();

        Assert.True(btc.IsCompletedSuccessfully);
        Assert.True(eth.IsCompletedSuccessfully);
        Assert.False(sameAsBtc.IsCompleted);
        Assert.Equal(new BusStatistics("in-memory", 16, 2, 3, 3, 0, 0, 0), bus.GetStatistics());
    }

    [Fact]
    public async Task PublishAsync_PartitionFull_WaitsUntilTheConsumerTakesABatch()
    {
        var bus = Bus(partitions: 1, capacity: 2);
        await bus.PublishAsync(Batch(Btc, 1), CancellationToken.None);
        await bus.PublishAsync(Batch(Btc, 2), CancellationToken.None);

        var third = bus.PublishAsync(Batch(Btc, 3), CancellationToken.None).AsTask();
        var waitedWhileFull = !third.IsCompleted;
        await using var consumer = TickConsumer.Start(bus);
        await third.WaitAsync(Deadline);
        await consumer.WaitForBatchesAsync(3);

        Assert.True(waitedWhileFull);
        Assert.Equal([1L, 2L, 3L], consumer.Batches.Select(b => b.Ticks.Span[0].TradeId));
    }

    [Fact]
    public async Task PublishAsync_PartitionFullAndCancelled_ThrowsOperationCanceled()
    {
        var bus = Bus(partitions: 1, capacity: 1);
        await bus.PublishAsync(Batch(Btc, 1), CancellationToken.None);
        using var cancellation = new CancellationTokenSource();

        var waiting = bus.PublishAsync(Batch(Btc, 2), cancellation.Token).AsTask();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Deadline));
        Assert.Equal(1, bus.GetStatistics().QueuedBatches);
    }

    [Fact]
    public async Task ConsumeAsync_ManyInstruments_DeliversEachInstrumentsBatchesInOrder()
    {
        var bus = Bus(partitions: 4, capacity: 1_024);
        var instruments = Enumerable.Range(1, 10).Select(i => InstrumentKey.Create("binance", $"SYN{i:D4}USDT")).ToArray();
        await using var consumer = TickConsumer.Start(bus);

        for (var id = 1; id <= 500; id++)
        {
            await bus.PublishAsync(Batch(instruments[id % instruments.Length], id), CancellationToken.None);
        }

        await consumer.WaitForBatchesAsync(500);
        Assert.All(instruments, instrument =>
        {
            var ids = consumer.Batches.Where(b => b.Instrument == instrument).Select(b => b.Ticks.Span[0].TradeId).ToList();
            Assert.Equal(50, ids.Count);
            Assert.Equal(ids.Order(), ids);
        });
        Assert.Equal(0, bus.GetStatistics().QueuedBatches);
    }

    [Fact]
    public async Task ConsumeAsync_SecondConsumer_ThrowsInvalidOperation()
    {
        var bus = Bus(partitions: 2, capacity: 8);
        await using var consumer = TickConsumer.Start(bus);

        await Assert.ThrowsAsync<InvalidOperationException>(() => bus.ConsumeAsync((_, _) => ValueTask.CompletedTask, CancellationToken.None));
    }

    [Fact]
    public async Task ConsumeAsync_Cancelled_CompletesAndAllowsANewConsumer()
    {
        var bus = Bus(partitions: 2, capacity: 8);
        var first = TickConsumer.Start(bus);
        await first.DisposeAsync();
        await bus.PublishAsync(Batch(Btc, 7), CancellationToken.None);

        await using var second = TickConsumer.Start(bus);
        await second.WaitForBatchesAsync(1);

        Assert.Equal(7, second.Batches.Single().Ticks.Span[0].TradeId);
    }

    [Fact]
    public async Task PublishAsync_Update_ReachesOnlyObserversThatAddedTheInstrument()
    {
        var bus = Bus();
        var btcObserver = new UpdateRecorder();
        var ethObserver = new UpdateRecorder();
        await using var btcSubscription = bus.Subscribe(btcObserver);
        await using var ethSubscription = bus.Subscribe(ethObserver);
        await btcSubscription.AddAsync(Btc);
        await btcSubscription.AddAsync(Btc);
        await ethSubscription.AddAsync(Eth);

        await bus.PublishAsync(Price(Btc, 1));
        await bus.PublishAsync(Closed(Btc));
        await bus.PublishAsync(Price(SameAsBtc, 2));

        Assert.Equal<object>([Price(Btc, 1), Closed(Btc)], btcObserver.Received);
        Assert.Empty(ethObserver.Received);
        Assert.Equal(new BusStatistics("in-memory", 16, 0, 0, 0, 3, 2, 2), bus.GetStatistics());
    }

    [Fact]
    public async Task PublishAsync_TwoObserversOfOneInstrument_BothReceiveUntilOneRemovesIt()
    {
        var bus = Bus();
        var first = new UpdateRecorder();
        var second = new UpdateRecorder();
        await using var firstSubscription = bus.Subscribe(first);
        await using var secondSubscription = bus.Subscribe(second);
        await firstSubscription.AddAsync(Btc);
        await secondSubscription.AddAsync(Btc);

        await bus.PublishAsync(Price(Btc, 1));
        await firstSubscription.RemoveAsync(Btc);
        await bus.PublishAsync(Price(Btc, 2));

        Assert.Equal([1L], first.Prices.Select(p => p.Sequence));
        Assert.Equal([1L, 2L], second.Prices.Select(p => p.Sequence));
        Assert.Equal(3, bus.GetStatistics().UpdatesDelivered);
    }

    [Fact]
    public async Task PublishAsync_AfterRemoveOrDispose_DeliversNothing()
    {
        var bus = Bus();
        var removed = new UpdateRecorder();
        var disposed = new UpdateRecorder();
        var removing = bus.Subscribe(removed);
        var disposing = bus.Subscribe(disposed);
        await removing.AddAsync(Btc);
        await removing.AddAsync(Eth);
        await disposing.AddAsync(Btc);

        await removing.RemoveAsync(Btc);
        await removing.RemoveAsync(Btc);
        await disposing.DisposeAsync();
        await bus.PublishAsync(Price(Btc, 1));
        await bus.PublishAsync(Closed(Btc));
        await bus.PublishAsync(Price(Eth, 2));

        Assert.Equal([2L], removed.Prices.Select(p => p.Sequence));
        Assert.Empty(disposed.Received);
        Assert.Equal(1, bus.GetStatistics().SubscribedInstruments);
        await removing.DisposeAsync();
        Assert.Equal(0, bus.GetStatistics().SubscribedInstruments);
    }

    private static InMemoryBus Bus(int partitions = 16, int capacity = 1_024) =>
        new(Options.Create(new StreamOptions { PartitionCount = partitions, PartitionBufferCapacity = capacity }));

    private static TickBatch Batch(InstrumentKey instrument, long tradeId) =>
        new(instrument, new[] { new Tick(instrument, 1m, 1m, tradeId, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch) });

    private static PriceUpdated Price(InstrumentKey instrument, long sequence) =>
        new(instrument.Exchange, instrument.Symbol, 1m, 1m, DateTimeOffset.UnixEpoch, sequence, 1);

    private static MinuteBarClosed Closed(InstrumentKey instrument) =>
        new(new MinuteBar(instrument.Exchange, instrument.Symbol, DateTimeOffset.UnixEpoch, 1m, 1m, 1m, 1m, 1m, 1m, 1, 1m, 1, Closed: true), 1);
}
