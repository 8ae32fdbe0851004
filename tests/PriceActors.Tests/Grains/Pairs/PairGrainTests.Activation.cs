using PriceActors.Grains;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary>A new activation after the previous one ended (<see cref="IPairTarget.RestartAsync"/>): rebuilt from the store.</summary>
public sealed partial class PairGrainTests
{
    [Fact]
    public async Task OnActivateAsync_AfterDeactivation_KeepsEpochSequenceStatsAndClosedBars()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 0), o => o.WindowLength = TimeSpan.FromMinutes(5));
        await pair.AdvanceToAsync(At(10, 0, 10));
        await pair.RecordAsync(Trade(1, At(10, 0, 10), 100m, 1m));
        await pair.AdvanceToAsync(At(10, 0, 40));
        await pair.RecordAsync(Trade(2, At(10, 0, 40), 102m, 2m));
        await pair.AdvanceToAsync(At(10, 1, 20));
        await pair.RecordAsync(Trade(3, At(10, 1, 20), 101m, 1m));
        var (from, to) = (At(10, 0, 0), At(10, 5, 0));
        var statsBefore = await pair.Pair.StatsAsync(from, to);
        await pair.AdvanceToAsync(At(10, 2, 30));
        var latestBefore = await pair.Pair.LatestAsync();
        var barsBefore = await pair.Pair.BarsAsync(5);

        await pair.AdvanceToAsync(At(10, 5, 0));
        await pair.Pair.RestartAsync();
        var statsAfter = await pair.Pair.StatsAsync(from, to);
        var latestAfter = await pair.Pair.LatestAsync();
        var barsAfter = await pair.Pair.BarsAsync(5);
        var duplicate = await pair.RecordAsync(Trade(3, At(10, 1, 20), 101m, 1m));
        var next = await pair.RecordAsync(Trade(4, At(10, 5, 0), 103m, 1m));
        await pair.Pair.SettleAsync(4, 2);

        Assert.Equal(1, pair.Logs.CountOf(RecoveredEvent));
        Assert.Equal(3, statsBefore.Count);
        Assert.Equal(statsBefore, statsAfter);
        Assert.Equal(3L, latestBefore?.Sequence);
        Assert.Equal(latestBefore, latestAfter);
        Assert.Equal([At(10, 0, 0), At(10, 1, 0)], barsBefore.Closed.Select(b => b.Minute));
        Assert.Equal(barsBefore.Closed, barsAfter.Closed);
        Assert.Null(barsAfter.Open);
        Assert.Equal(new TicksRecorded(0, 1, 0, 3), duplicate);
        Assert.Equal(new TicksRecorded(1, 0, 0, 4), next);

        // The new activation published no bar again: the next trade's update is the first thing it published.
        Assert.Equal([At(10, 0, 0), At(10, 1, 0)], pair.Updates.ClosedBars.Select(c => c.Bar.Minute));
        Assert.Equal([1L, 2L, 3L, 4L], pair.Updates.Prices.Select(p => p.Sequence));
        Assert.All(pair.Updates.Prices, p => Assert.Equal(At(10, 0, 10).ToUnixTimeMilliseconds(), p.Epoch));
    }

    [Fact]
    public async Task OnActivateAsync_AfterRestartWithLastClosedBarBeforeWindowStart_DoesNotRepublishOrOverwriteIt()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 10), o => o.WindowLength = TimeSpan.FromMinutes(5));
        await pair.RecordAsync(Trade(1, At(10, 0, 10), 100m));
        await pair.AdvanceToAsync(At(10, 0, 50));
        await pair.RecordAsync(Trade(2, At(10, 0, 50), 101m));
        await pair.AdvanceToAsync(At(10, 1, 1));
        var latest = await pair.Pair.LatestAsync();
        await pair.Pair.SettleAsync(2, 1);
        var closed = Assert.Single(pair.Updates.ClosedBars);
        Assert.Equal(2, closed.Bar.Count);

        await pair.Pair.RestartAsync();
        await pair.AdvanceToAsync(At(10, 5, 30)); // the window now starts inside the closed minute, at 10:00:30
        var recovered = await pair.Pair.LatestAsync();
        var stats = await pair.Pair.StatsAsync(At(10, 0, 0), At(10, 6, 0));
        await pair.RecordAsync(Trade(3, At(10, 5, 30), 102m));
        await pair.Pair.SettleAsync(3, 1);

        Assert.Equal(1, pair.Logs.CountOf(RecoveredEvent));
        Assert.Equal(2L, latest?.Sequence);
        Assert.Equal(latest, recovered);
        Assert.Equal((At(10, 0, 30), 1L, 101m), (stats.From, stats.Count, stats.Low));
        Assert.Equal([closed], pair.Updates.ClosedBars);
        var stored = await pair.Store.LoadAsync(Btc, At(10, 0, 0), CancellationToken.None);
        Assert.Equal(closed.Bar, Assert.Single(stored!.Bars));
    }

    [Fact]
    public async Task OnActivateAsync_LastBarClosedByTimerBeforeDeactivation_ReopensItForALateTrade()
    {
        // A new activation gets a delayed trade of the bar its predecessor's timer closed.
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 0), o => o.WindowLength = TimeSpan.FromMinutes(5));
        await pair.RecordAsync(Trade(1, At(10, 0, 10), 100m, 1m), Trade(2, At(10, 1, 10), 101m, 1m), Trade(3, At(10, 1, 20), 103m, 1m));
        await pair.AdvanceToAsync(At(10, 2, 30)); // 10:01 closed by its timer
        Assert.Equal(2, (await pair.Pair.BarsAsync(5)).Closed.Count);
        await pair.AdvanceToAsync(At(10, 5, 0));
        await pair.Pair.RestartAsync();

        var late = await pair.RecordAsync(Trade(4, At(10, 1, 50), 102m, 2m));
        await pair.AdvanceToAsync(At(10, 5, 1));
        var bars = await pair.Pair.BarsAsync(5);
        await pair.Pair.SettleAsync(2, 3);

        Assert.Equal(new TicksRecorded(1, 0, 0, 4), late);
        Assert.Equal((1, 1), (pair.Logs.CountOf(RecoveredEvent), pair.Logs.CountOf(ReopenedEvent)));
        var amended = new MinuteBar("binance", "BTCUSDT", At(10, 1, 0), 101m, 103m, 101m, 102m, 102m, 102m, 3, 4m, 4, Closed: true);
        Assert.Equal([At(10, 0, 0), At(10, 1, 0), At(10, 1, 0)], pair.Updates.ClosedBars.Select(c => c.Bar.Minute));
        Assert.Equal(amended, pair.Updates.ClosedBars[^1].Bar);
        Assert.Equal(amended, bars.Closed[^1]);
        Assert.Null(bars.Open);
    }

    [Fact]
    public async Task OnActivateAsync_StoredTradesOfReopenedBarNotInItsSavedBar_ClosesItAgainWhole()
    {
        // The activation reopened 10:00 for a delayed trade and stored the trade, but ended (its save of the amended bar
        // failed) before it closed the bar again. A reopened bar's close is overdue, so its timer runs at once.
        BarOutageStore store = null!;
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 30), wrapStore: s => store = new BarOutageStore(s));
        await pair.RecordAsync(Trade(1, At(10, 0, 30), 100m, 1m));
        await pair.AdvanceToAsync(At(10, 1, 5));
        var first = Assert.Single((await pair.Pair.BarsAsync(5)).Closed);
        store.FailBars = true;
        var late = await pair.RecordAsync(Trade(2, At(10, 0, 59), 102m, 3m));
        await pair.Logs.WaitForCountAsync(StoreFailedEvent, 1);
        store.FailBars = false;

        var bars = await pair.Pair.BarsAsync(5);
        await pair.Pair.SettleAsync(2, 2);

        Assert.Equal(new TicksRecorded(1, 0, 0, 2), late);
        Assert.Equal([TenOClockBar], bars.Closed);
        Assert.Null(bars.Open);
        Assert.Equal([first, TenOClockBar], pair.Updates.ClosedBars.Select(c => c.Bar));
        var stored = await pair.Store.LoadAsync(Btc, At(10, 0, 0), CancellationToken.None);
        Assert.Equal(TenOClockBar, Assert.Single(stored!.Bars));
        Assert.Equal((1, 2), (pair.Logs.CountOf(RecoveredEvent), pair.Logs.CountOf(ReopenedEvent)));
    }
}
