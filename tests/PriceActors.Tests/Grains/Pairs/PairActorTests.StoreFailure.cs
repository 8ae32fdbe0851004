using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Storage;
using PriceActors.Tests.Grains.Storage;
using PriceActors.Tests.Silo.Feeds;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Grains.Pairs;

public sealed partial class PairActorTests
{
    [Fact]
    public async Task RecordTicks_StoreFails_RefusesQueuedBatchesThenReloadsAndAcceptsTheRedelivery()
    {
        var clock = new ManualTimeProvider(At(10, 0, 0));
        var store = new OutageStore(new InMemoryStore(Options.Create(new InMemoryStoreOptions())));
        await using var host = GrainHost.StartPairs(clock, store);
        var pair = host.Pair(Btc);
        Tick[] a = [Trade(1, At(10, 0, 1), 100m), Trade(2, At(10, 0, 2), 101m)];
        Tick[] b = [Trade(3, At(10, 0, 3), 102m)];
        Tick[] c = [Trade(4, At(10, 0, 4), 103m)];
        clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(new TicksRecorded(2, 0, 0, 2), await pair.AskAsync(new RecordTicks(a)).WaitAsync(Deadline));

        store.Outage = new TaskCompletionSource();
        var failed = pair.AskAsync(new RecordTicks(b));
        var queuedBehind = pair.AskAsync(new RecordTicks(c));
        store.Outage.SetResult();

        await Assert.ThrowsAsync<IOException>(() => failed.WaitAsync(Deadline));
        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => queuedBehind.WaitAsync(Deadline));
        Assert.Contains("reloading after a store failure", refusal.Message, StringComparison.Ordinal);

        store.Outage = null;
        var redeliveredB = await pair.AskAsync(new RecordTicks(b)).WaitAsync(Deadline);
        var redeliveredC = await pair.AskAsync(new RecordTicks(c)).WaitAsync(Deadline);

        Assert.Equal(new TicksRecorded(1, 0, 0, 3), redeliveredB);
        Assert.Equal(new TicksRecorded(1, 0, 0, 4), redeliveredC);
        var stats = await pair.AskAsync(new GetWindowStats(At(10, 0, 0), At(10, 0, 5))).WaitAsync(Deadline);
        Assert.Equal((4L, 100m, 103m, 103m), (stats.Count, stats.Low, stats.High, stats.Last));
        Assert.Equal(2, host.Runtime.GetStatistics().Activated);
    }

    [Fact]
    public async Task RecordTicks_StoreFails_PublishedBeforeTheAppendAndTheRedeliveryPublishesTheSameSequence()
    {
        var clock = new ManualTimeProvider(At(10, 0, 0));
        var store = new OutageStore(new InMemoryStore(Options.Create(new InMemoryStoreOptions())));
        await using var host = GrainHost.StartPairs(clock, store);
        var updates = new UpdateRecorder();
        await using var subscription = host.Bus.Subscribe(updates);
        await subscription.AddAsync(Btc);
        var pair = host.Pair(Btc);
        var epoch = At(10, 0, 0).ToUnixTimeMilliseconds();
        Tick[] a = [Trade(1, At(10, 0, 1), 100m)];
        Tick[] b = [Trade(2, At(10, 0, 2), 101m), Trade(3, At(10, 0, 3), 102m)];
        Tick[] c = [Trade(4, At(10, 0, 4), 103m)];
        await pair.AskAsync(new RecordTicks(a)).WaitAsync(Deadline);

        // The append of b hangs: its update is out already, while the reply waits for the store.
        store.Outage = new TaskCompletionSource();
        var failed = pair.AskAsync(new RecordTicks(b));
        try
        {
            await Poll.UntilAsync(() => updates.Prices.Count == 2, Deadline, "the update of the batch whose append hangs");
            Assert.False(failed.IsCompleted, "the reply did not wait for the append");
        }
        finally
        {
            // Released either way: a pair left waiting on the store would keep the host from stopping.
            store.Outage.SetResult();
        }

        await Assert.ThrowsAsync<IOException>(() => failed.WaitAsync(Deadline));

        store.Outage = null;
        await pair.AskAsync(new RecordTicks(b)).WaitAsync(Deadline);
        await pair.AskAsync(new RecordTicks(c)).WaitAsync(Deadline);

        // The next activation gave the redelivered trades the same numbers: the same (epoch, sequence) again.
        PriceUpdated[] expected =
        [
            new("binance", "BTCUSDT", 100m, 1m, At(10, 0, 1), 1, epoch),
            new("binance", "BTCUSDT", 102m, 1m, At(10, 0, 3), 3, epoch),
            new("binance", "BTCUSDT", 102m, 1m, At(10, 0, 3), 3, epoch),
            new("binance", "BTCUSDT", 103m, 1m, At(10, 0, 4), 4, epoch),
        ];
        Assert.Equal(expected, updates.Prices);
        Assert.Equal(2, host.Runtime.GetStatistics().Activated);
    }
}
