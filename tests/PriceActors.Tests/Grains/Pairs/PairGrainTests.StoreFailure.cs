using PriceActors.Grains;
using PriceActors.Tests.Grains.Storage;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary>A write to the store fails: the activation refuses the batch and ends; the next one reloads what is stored.</summary>
public sealed partial class PairGrainTests
{
    private const string TradesNotStored = "storing trades failed (IOException: The database went away.); the batch must be delivered again.";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RecordTicksAsync_StoreFails_RefusesTheBatchThenTheNextActivationReloadsAndTakesTheRedelivery()
    {
        OutageStore store = null!;
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 0), wrapStore: s => store = new OutageStore(s));
        Tick[] a = [Trade(1, At(10, 0, 1), 100m), Trade(2, At(10, 0, 2), 101m)];
        Tick[] b = [Trade(3, At(10, 0, 3), 102m)];
        Tick[] c = [Trade(4, At(10, 0, 4), 103m)];
        await pair.AdvanceToAsync(At(10, 0, 5));
        Assert.Equal(new TicksRecorded(2, 0, 0, 2), await pair.RecordAsync(a));

        var outage = new TaskCompletionSource();
        outage.SetResult();
        store.Outage = outage;
        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => pair.RecordAsync(b));
        store.Outage = null;
        var redeliveredB = await pair.RecordAsync(b);
        var redeliveredC = await pair.RecordAsync(c);

        Assert.EndsWith(TradesNotStored, refusal.Message, StringComparison.Ordinal);
        Assert.Equal(new TicksRecorded(1, 0, 0, 3), redeliveredB);
        Assert.Equal(new TicksRecorded(1, 0, 0, 4), redeliveredC);
        Assert.Equal((1, 1), (pair.Logs.CountOf(StoreFailedEvent), pair.Logs.CountOf(RecoveredEvent)));
        var stats = await pair.Pair.StatsAsync(At(10, 0, 0), At(10, 0, 5));
        Assert.Equal((4L, 100m, 103m, 103m), (stats.Count, stats.Low, stats.High, stats.Last));
        var stored = await pair.Store.LoadAsync(Btc, At(10, 0, 0), CancellationToken.None);
        Assert.Equal([(1L, 1L), (2L, 2L), (3L, 3L), (4L, 4L)], stored!.Ticks.Select(t => (t.Sequence, t.Tick.TradeId)));
    }

    [Fact]
    public async Task RecordTicksAsync_StoreFailsUnderTheTickStream_TheBatchComesAgainToTheNextActivationBeforeTheNextOne()
    {
        // The tick stream's router hands the pair one delivery at a time, and the stream delivers a failed one again.
        ManualCommitStore store = null!;
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 0), wrapStore: s => store = new ManualCommitStore(s));
        try
        {
            var epoch = At(10, 0, 0).ToUnixTimeMilliseconds();
            Tick[] a = [Trade(1, At(10, 0, 1), 100m), Trade(2, At(10, 0, 2), 101m)];
            Tick[] b = [Trade(3, At(10, 0, 3), 102m)];
            Tick[] c = [Trade(4, At(10, 0, 4), 103m)];
            await pair.Pair.PublishAsync(a);
            await Eventually.HoldsAsync(() => store.QueuedCount == 1, Patience, "a's append");
            await store.CommitAsync();

            // c waits in the stream while b's append is pending (published together, one delivery would carry both).
            await pair.Pair.PublishAsync(b);
            await Eventually.HoldsAsync(() => store.QueuedCount == 1 && pair.Updates.Prices.Count == 2, Patience, "b's update and append");
            await pair.Pair.PublishAsync(c);
            store.Fail(1);
            await store.CommitEverythingFromNowOnAsync();
            await Eventually.HoldsAsync(() => pair.Updates.Prices.Count == 4, Patience, "b's update again, then c's");

            var stored = await pair.Store.LoadAsync(Btc, At(10, 0, 0), CancellationToken.None);
            Assert.Equal([(1L, 1L), (2L, 2L), (3L, 3L), (4L, 4L)], stored!.Ticks.Select(t => (t.Sequence, t.Tick.TradeId)));
            PriceUpdated[] expected =
            [
                new("binance", "BTCUSDT", 101m, 1m, At(10, 0, 2), 2, epoch, 1),
                new("binance", "BTCUSDT", 102m, 1m, At(10, 0, 3), 3, epoch, 3),
                new("binance", "BTCUSDT", 102m, 1m, At(10, 0, 3), 3, epoch, 3),
                new("binance", "BTCUSDT", 103m, 1m, At(10, 0, 4), 4, epoch, 4),
            ];
            Assert.Equal(expected, pair.Updates.Prices);
            Assert.Equal((1, 1), (pair.Logs.CountOf(StoreFailedEvent), pair.Logs.CountOf(RecoveredEvent)));
        }
        finally
        {
            await store.CommitEverythingFromNowOnAsync();
        }
    }

    [Fact]
    public async Task RecordTicksAsync_StoreFailsAfterTheUpdateIsOut_TheRedeliveryPublishesTheSameSequenceAgain()
    {
        ManualCommitStore store = null!;
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 0), wrapStore: s => store = new ManualCommitStore(s));
        try
        {
            var epoch = At(10, 0, 0).ToUnixTimeMilliseconds();
            Tick[] a = [Trade(1, At(10, 0, 1), 100m)];
            Tick[] b = [Trade(2, At(10, 0, 2), 101m), Trade(3, At(10, 0, 3), 102m)];
            Tick[] c = [Trade(4, At(10, 0, 4), 103m)];
            await CommittedAsync(pair, store, a);

            // b's update goes out before its append; the reply waits for the append, which fails.
            var failed = pair.RecordAsync(b);
            await Eventually.HoldsAsync(() => store.QueuedCount == 1 && pair.Updates.Prices.Count == 2, Patience, "b's update and append");
            Assert.False(failed.IsCompleted, "the reply did not wait for the append");
            store.Fail(1);
            await Assert.ThrowsAsync<InvalidOperationException>(() => failed);

            await store.CommitEverythingFromNowOnAsync();
            var redeliveredB = await pair.RecordAsync(b);
            var redeliveredC = await pair.RecordAsync(c);
            await pair.Pair.SettleAsync(4, 0);

            Assert.Equal(new TicksRecorded(2, 0, 0, 3), redeliveredB);
            Assert.Equal(new TicksRecorded(1, 0, 0, 4), redeliveredC);
            PriceUpdated[] expected =
            [
                new("binance", "BTCUSDT", 100m, 1m, At(10, 0, 1), 1, epoch, 1),
                new("binance", "BTCUSDT", 102m, 1m, At(10, 0, 3), 3, epoch, 2),
                new("binance", "BTCUSDT", 102m, 1m, At(10, 0, 3), 3, epoch, 2),
                new("binance", "BTCUSDT", 103m, 1m, At(10, 0, 4), 4, epoch, 4),
            ];
            Assert.Equal(expected, pair.Updates.Prices);
            Assert.Equal((1, 1), (pair.Logs.CountOf(StoreFailedEvent), pair.Logs.CountOf(RecoveredEvent)));
        }
        finally
        {
            await store.CommitEverythingFromNowOnAsync();
        }
    }

    [Fact]
    public async Task RecordTicksAsync_BarSaveFails_RefusesTheBatchAndTheNextActivationClosesTheBarFromTheStore()
    {
        BarOutageStore store = null!;
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 30), wrapStore: s => store = new BarOutageStore(s));
        var epoch = At(10, 0, 30).ToUnixTimeMilliseconds();
        Tick[] b = [Trade(2, At(10, 0, 50), 102m, 3m), Trade(3, At(10, 1, 0), 103m)];
        await pair.RecordAsync(Trade(1, At(10, 0, 30), 100m));
        await pair.AdvanceToAsync(At(10, 1, 0));

        // The trade of 10:01 closes 10:00: the trade before it is stored, the bar's save fails.
        store.FailBars = true;
        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => pair.RecordAsync(b));
        store.FailBars = false;
        var redelivered = await pair.RecordAsync(b);
        await pair.Pair.SettleAsync(2, 1);

        Assert.EndsWith("storing a closed bar failed (IOException: The database went away.); the batch must be delivered again.", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(new TicksRecorded(1, 1, 0, 3), redelivered);
        Assert.Equal((1, 1), (pair.Logs.CountOf(StoreFailedEvent), pair.Logs.CountOf(RecoveredEvent)));
        object[] expected =
        [
            new PriceUpdated("binance", "BTCUSDT", 100m, 1m, At(10, 0, 30), 1, epoch, 1),
            new MinuteBarClosed(TenOClockBar, epoch),
            new PriceUpdated("binance", "BTCUSDT", 103m, 1m, At(10, 1, 0), 3, epoch, 3),
        ];
        Assert.Equal(expected, pair.Updates.Received);
        var stored = await pair.Store.LoadAsync(Btc, At(10, 0, 0), CancellationToken.None);
        Assert.Equal(TenOClockBar, Assert.Single(stored!.Bars));
        Assert.Equal([1L, 2L, 3L], stored.Ticks.Select(t => t.Sequence));
    }

    /// <summary>Records <paramref name="ticks"/> on a <see cref="ManualCommitStore"/>, committing their append.</summary>
    private static async Task CommittedAsync(PairGrainHarness pair, ManualCommitStore store, Tick[] ticks)
    {
        var recorded = pair.RecordAsync(ticks);
        await Eventually.HoldsAsync(() => store.QueuedCount == 1, Patience, "the append");
        await store.CommitAsync();
        await recorded;
    }
}
