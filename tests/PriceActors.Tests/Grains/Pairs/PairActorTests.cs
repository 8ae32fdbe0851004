using PriceActors.Grains;

namespace PriceActors.Tests.Grains.Pairs;

public sealed partial class PairActorTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly InstrumentKey Btc = InstrumentKey.Parse("binance:BTCUSDT");
    private static readonly DateTimeOffset Day = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task GetLatestPrice_BeforeFirstTrade_ReturnsNull()
    {
        await using var pair = await PairHarness.StartAsync(At(10, 0, 0));

        Assert.Null(await pair.AskAsync(GetLatestPrice.Instance));
    }

    [Fact]
    public async Task RecordTicks_NewTrades_PublishesOnePriceUpdatePerBatchWithSequenceAndEpoch()
    {
        await using var pair = await PairHarness.StartAsync(At(10, 0, 0));
        var epoch = At(10, 0, 0).ToUnixTimeMilliseconds();

        var first = await pair.RecordAsync(Trade(1, At(10, 0, 1), 100m, 2m), Trade(2, At(10, 0, 2), 101m, 1m));
        var second = await pair.RecordAsync(Trade(3, At(10, 0, 3), 99m, 0.5m));

        Assert.Equal(new TicksRecorded(2, 0, 0, 2), first);
        Assert.Equal(new TicksRecorded(1, 0, 0, 3), second);
        PriceUpdated[] expected =
        [
            new("binance", "BTCUSDT", 101m, 1m, At(10, 0, 2), 2, epoch),
            new("binance", "BTCUSDT", 99m, 0.5m, At(10, 0, 3), 3, epoch),
        ];
        Assert.Equal(expected, pair.Updates.Prices);
        Assert.Equal(expected[^1], await pair.AskAsync(GetLatestPrice.Instance));
    }

    [Fact]
    public async Task RecordTicks_RedeliveredTradeIds_CountsDuplicatesAndIgnoresThem()
    {
        await using var pair = await PairHarness.StartAsync(At(10, 0, 0));
        await pair.RecordAsync(Trade(1, At(10, 0, 1), 100m), Trade(2, At(10, 0, 2), 101m), Trade(3, At(10, 0, 3), 102m));

        // Redelivered trades carry a different price here, so counting one would show in the stats.
        var mixed = await pair.RecordAsync(Trade(2, At(10, 0, 2), 500m), Trade(3, At(10, 0, 3), 500m), Trade(4, At(10, 0, 4), 103m), Trade(3, At(10, 0, 3), 500m));
        var onlyDuplicates = await pair.RecordAsync(Trade(4, At(10, 0, 4), 500m), Trade(1, At(10, 0, 1), 500m));

        Assert.Equal(new TicksRecorded(1, 3, 0, 4), mixed);
        Assert.Equal(new TicksRecorded(0, 2, 0, 4), onlyDuplicates);
        Assert.Equal([3L, 4L], pair.Updates.Prices.Select(p => p.Sequence));
        pair.Clock.Advance(TimeSpan.FromSeconds(5));
        var stats = await pair.AskAsync(new GetWindowStats(At(10, 0, 0), At(10, 1, 0)));
        Assert.Equal(4, stats.Count);
        Assert.Equal(103m, stats.High);
        Assert.Equal(4m, stats.Volume);
    }

    [Fact]
    public async Task RecordTicks_TradeOlderThanOpenBar_IsRejected()
    {
        await using var pair = await PairHarness.StartAsync(At(10, 1, 5));
        await pair.RecordAsync(Trade(1, At(10, 1, 5), 100m));

        var late = await pair.RecordAsync(Trade(2, At(10, 0, 59.9999999), 90m));
        var next = await pair.RecordAsync(Trade(3, At(10, 1, 6), 101m));

        Assert.Equal(new TicksRecorded(0, 0, 1, 1), late);
        Assert.Equal(new TicksRecorded(1, 0, 0, 2), next);
        Assert.Equal(1, pair.Host.Logs.CountOf(2001));
        var stats = await pair.AskAsync(new GetWindowStats(At(10, 0, 0), At(10, 2, 0)));
        Assert.Equal(2, stats.Count);
        Assert.Equal(100m, stats.Low);
    }

    [Fact]
    public async Task RecordTicks_TradeOfAnotherInstrument_IsRejected()
    {
        await using var pair = await PairHarness.StartAsync(At(10, 0, 0));
        var other = InstrumentKey.Parse("bybit:BTCUSDT");
        await pair.RecordAsync(Trade(5, At(10, 0, 1), 100m));

        var reply = await pair.RecordAsync(Trade(6, At(10, 0, 2), 200m, instrument: other), Trade(1, At(10, 0, 2), 200m, instrument: other));

        Assert.Equal(new TicksRecorded(0, 0, 2, 1), reply);
        Assert.Single(pair.Updates.Prices);
        Assert.Equal(new TicksRecorded(1, 0, 0, 2), await pair.RecordAsync(Trade(6, At(10, 0, 3), 101m)));
    }

    [Fact]
    public async Task RecordTicks_TradeOfEndedMinuteWithinGrace_JoinsItsBarUntilTheTimerClosesIt()
    {
        await using var pair = await PairHarness.StartAsync(At(10, 0, 30));
        await pair.RecordAsync(Trade(1, At(10, 0, 30), 100m));
        pair.AdvanceTo(At(10, 1, 0.5));

        var withinGrace = await pair.RecordAsync(Trade(2, At(10, 0, 59.9999999), 101m));
        pair.AdvanceTo(At(10, 1, 1));
        var nextMinute = await pair.RecordAsync(Trade(3, At(10, 1, 0), 103m));

        Assert.Equal(new TicksRecorded(1, 0, 0, 2), withinGrace);
        Assert.Equal(new TicksRecorded(1, 0, 0, 3), nextMinute);
        var closed = Assert.Single(pair.Updates.ClosedBars).Bar;
        Assert.Equal((At(10, 0, 0), 2L, 101m, 2L), (closed.Minute, closed.Count, closed.Close, closed.LastSequence));
        var open = (await pair.AskAsync(new GetMinuteBars(10))).Open;
        Assert.NotNull(open);
        Assert.Equal((At(10, 1, 0), 1L, 103m, false), (open.Minute, open.Count, open.Close, open.Closed));
    }

    [Fact]
    public async Task RecordTicks_TradeOfMinuteAfterTimerClosedIt_ReopensTheBarAndPublishesItAmended()
    {
        // Delivery was delayed (a broker outage): the timer closed 10:00 before its last trade arrived.
        await using var pair = await PairHarness.StartAsync(At(10, 0, 30));
        await pair.RecordAsync(Trade(1, At(10, 0, 30), 100m));
        pair.AdvanceTo(At(10, 1, 5));

        var late = await pair.RecordAsync(Trade(2, At(10, 0, 59), 102m, 3m));
        var nextMinute = await pair.RecordAsync(Trade(3, At(10, 1, 0), 103m));

        Assert.Equal(new TicksRecorded(1, 0, 0, 2), late);
        Assert.Equal(new TicksRecorded(1, 0, 0, 3), nextMinute);
        Assert.Equal(1, pair.Host.Logs.CountOf(2004));
        var epoch = At(10, 0, 30).ToUnixTimeMilliseconds();
        var first = new MinuteBar("binance", "BTCUSDT", At(10, 0, 0), 100m, 100m, 100m, 100m, 100m, 100m, 1, 1m, 1, Closed: true);
        var amended = new MinuteBar("binance", "BTCUSDT", At(10, 0, 0), 100m, 102m, 100m, 102m, 101m, 101.5m, 2, 4m, 2, Closed: true);
        Assert.Equal([new MinuteBarClosed(first, epoch), new MinuteBarClosed(amended, epoch)], pair.Updates.ClosedBars);
        var bars = await pair.AskAsync(new GetMinuteBars(10));
        Assert.Equal([amended], bars.Closed);
        var stats = await pair.AskAsync(new GetWindowStats(At(10, 0, 0), At(10, 1, 5)));
        Assert.Equal((3L, 103m, 100m), (stats.Count, stats.High, stats.Low));
    }

    [Fact]
    public async Task OnActivateAsync_LastBarClosedByTimerBeforeDeactivation_ReopensItForALateTrade()
    {
        // The new owner of a partition (or a new activation) gets a delayed trade of the bar its predecessor closed.
        await using var pair = await PairHarness.StartAsync(
            At(10, 0, 0),
            o => o.WindowLength = TimeSpan.FromMinutes(5),
            o => (o.IdleTimeout, o.CollectionInterval) = (TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(30)));
        await pair.RecordAsync(Trade(1, At(10, 0, 10), 100m, 1m), Trade(2, At(10, 1, 10), 101m, 1m), Trade(3, At(10, 1, 20), 103m, 1m));
        pair.AdvanceTo(At(10, 2, 30)); // 10:01 closed by its timer
        Assert.Equal(2, (await pair.AskAsync(new GetMinuteBars(5))).Closed.Count);
        pair.AdvanceTo(At(10, 5, 0)); // idle for 2 minutes at the 10:04:30 collection
        await pair.Host.Logs.WaitForCountAsync(1002, 1);

        var late = await pair.RecordAsync(Trade(4, At(10, 1, 50), 102m, 2m));
        pair.AdvanceTo(At(10, 5, 1));
        var bars = await pair.AskAsync(new GetMinuteBars(5));

        Assert.Equal(new TicksRecorded(1, 0, 0, 4), late);
        var amended = new MinuteBar("binance", "BTCUSDT", At(10, 1, 0), 101m, 103m, 101m, 102m, 102m, 102m, 3, 4m, 4, Closed: true);
        Assert.Equal(amended, pair.Updates.ClosedBars[^1].Bar);
        Assert.Equal(amended, bars.Closed[^1]);
        Assert.Equal([At(10, 0, 0), At(10, 1, 0), At(10, 1, 0)], pair.Updates.ClosedBars.Select(c => c.Bar.Minute));
    }

    [Fact]
    public async Task OnActivateAsync_StoredTradesOfReopenedBarNotInItsSavedBar_ClosesItAgainWhole()
    {
        // The owner reopened 10:00 for a delayed trade, stored the trade, and ended before closing the bar again.
        await using var pair = await PairHarness.StartAsync(At(10, 0, 30));
        await pair.RecordAsync(Trade(1, At(10, 0, 30), 100m, 1m));
        pair.AdvanceTo(At(10, 1, 5));
        Assert.Single((await pair.AskAsync(new GetMinuteBars(5))).Closed);
        await pair.RecordAsync(Trade(2, At(10, 0, 59), 102m, 3m));
        await pair.RestartAsync();

        var bars = await pair.AskAsync(new GetMinuteBars(5));

        var whole = new MinuteBar("binance", "BTCUSDT", At(10, 0, 0), 100m, 102m, 100m, 102m, 101m, 101.5m, 2, 4m, 2, Closed: true);
        Assert.Equal([whole], bars.Closed);
        Assert.Equal(whole, Assert.Single(pair.Updates.ClosedBars).Bar);
        var stored = await pair.Store.LoadAsync(PairHarness.Btc, At(10, 0, 0), CancellationToken.None);
        Assert.Equal(whole, Assert.Single(stored!.Bars));
    }

    [Fact]
    public async Task RecordTicks_TradeOfMinuteBeforeTheLastClosedOne_IsRejected()
    {
        await using var pair = await PairHarness.StartAsync(At(10, 1, 30));
        await pair.RecordAsync(Trade(1, At(10, 0, 30), 100m), Trade(2, At(10, 1, 30), 101m));
        pair.AdvanceTo(At(10, 2, 5));

        var older = await pair.RecordAsync(Trade(3, At(10, 0, 59), 99m));

        Assert.Equal(new TicksRecorded(0, 0, 1, 2), older);
        Assert.Equal(2, pair.Updates.ClosedBars.Count);
    }

    [Fact]
    public async Task BarTimer_NoLaterTrade_ClosesBarExactlyAtMinuteEndPlusGrace()
    {
        await using var pair = await PairHarness.StartAsync(At(10, 0, 0), o => o.BarCloseGrace = TimeSpan.FromSeconds(5));
        await pair.RecordAsync(Trade(1, At(10, 0, 0), 100.10m, 2m));
        pair.AdvanceTo(At(10, 0, 30));
        await pair.RecordAsync(Trade(2, At(10, 0, 30), 100.00m, 1m));
        pair.AdvanceTo(At(10, 0, 59.9999999));
        await pair.RecordAsync(Trade(3, At(10, 0, 59.9999999), 100.40m, 1m));
        var expected = new MinuteBar("binance", "BTCUSDT", At(10, 0, 0), 100.10m, 100.40m, 100.00m, 100.40m, 100.166666666667m, 100.15m, 3, 4m, 3, Closed: true);

        pair.AdvanceTo(At(10, 1, 5) - TimeSpan.FromTicks(1));
        var before = await pair.AskAsync(new GetMinuteBars(10));
        var publishedBefore = pair.Updates.ClosedBars.Count;
        pair.AdvanceTo(At(10, 1, 5));
        var after = await pair.AskAsync(new GetMinuteBars(10));

        Assert.Equal(0, publishedBefore);
        Assert.Empty(before.Closed);
        Assert.Equal(expected with { Closed = false }, before.Open);
        var published = Assert.Single(pair.Updates.ClosedBars);
        Assert.Equal(new MinuteBarClosed(expected, At(10, 0, 0).ToUnixTimeMilliseconds()), published);
        Assert.Equal([expected], after.Closed);
        Assert.Null(after.Open);
    }

    [Fact]
    public async Task RecordTicks_TradeOfLaterMinute_PublishesClosedBarBeforeThePriceUpdate()
    {
        await using var pair = await PairHarness.StartAsync(At(10, 1, 0));

        await pair.RecordAsync(Trade(1, At(10, 0, 10), 100m, 1m), Trade(2, At(10, 0, 59.9999999), 102m, 3m), Trade(3, At(10, 1, 0), 104m, 1m));

        var epoch = At(10, 1, 0).ToUnixTimeMilliseconds();
        var bar = new MinuteBar("binance", "BTCUSDT", At(10, 0, 0), 100m, 102m, 100m, 102m, 101m, 101.5m, 2, 4m, 2, Closed: true);
        object[] expected = [new MinuteBarClosed(bar, epoch), new PriceUpdated("binance", "BTCUSDT", 104m, 1m, At(10, 1, 0), 3, epoch)];
        Assert.Equal(expected, pair.Updates.Received);
    }

    [Fact]
    public async Task GetWindowStats_ToBeforeFrom_ThrowsArgumentException()
    {
        await using var pair = await PairHarness.StartAsync(At(10, 0, 0));

        await Assert.ThrowsAsync<ArgumentException>(() => pair.AskAsync(new GetWindowStats(At(10, 0, 1), At(10, 0, 0))));
    }

    [Fact]
    public async Task GetWindowStats_PeriodStartingBeforeWindow_IsAnsweredFromWindowStart()
    {
        await using var pair = await PairHarness.StartAsync(At(10, 0, 10), o => o.WindowLength = TimeSpan.FromMinutes(5));
        await pair.RecordAsync(Trade(1, At(10, 0, 10), 100m, 1m));
        pair.AdvanceTo(At(10, 2, 0));
        await pair.RecordAsync(Trade(2, At(10, 2, 0), 110m, 2m));
        pair.AdvanceTo(At(10, 6, 0));
        await pair.RecordAsync(Trade(3, At(10, 6, 0), 120m, 3m));
        pair.AdvanceTo(At(10, 6, 30));

        var stats = await pair.AskAsync(new GetWindowStats(At(10, 0, 0), At(10, 7, 0)));

        Assert.Equal(new WindowStats("binance", "BTCUSDT", At(10, 1, 30), At(10, 7, 0), 2, 120m, 110m, 115m, 116m, 110m, 120m, 5m), stats);
    }

    [Fact]
    public async Task GetWindowStats_NoTradesInPeriod_ReturnsZeroCountAndNulls()
    {
        await using var pair = await PairHarness.StartAsync(At(10, 5, 0));
        await pair.RecordAsync(Trade(1, At(10, 4, 0), 100m));

        var stats = await pair.AskAsync(new GetWindowStats(At(10, 4, 0.0000001), At(10, 5, 0)));

        Assert.Equal(new WindowStats("binance", "BTCUSDT", At(10, 4, 0.0000001), At(10, 5, 0), 0, null, null, null, null, null, null, 0m), stats);
    }

    [Fact]
    public async Task GetMinuteBars_Limit_ReturnsThatManyNewestClosedBarsAndTheOpenBar()
    {
        await using var pair = await PairHarness.StartAsync(At(10, 0, 10));
        await pair.RecordAsync(Trade(1, At(10, 0, 10), 100m));
        pair.AdvanceTo(At(10, 1, 0));
        await pair.RecordAsync(Trade(2, At(10, 1, 0), 101m));
        pair.AdvanceTo(At(10, 2, 0));
        await pair.RecordAsync(Trade(3, At(10, 2, 0), 102m));

        var none = await pair.AskAsync(new GetMinuteBars(0));
        var negative = await pair.AskAsync(new GetMinuteBars(-3));
        var one = await pair.AskAsync(new GetMinuteBars(1));
        var all = await pair.AskAsync(new GetMinuteBars(100));

        Assert.Empty(none.Closed);
        Assert.Empty(negative.Closed);
        Assert.Equal([At(10, 1, 0)], one.Closed.Select(b => b.Minute));
        Assert.Equal([At(10, 0, 0), At(10, 1, 0)], all.Closed.Select(b => b.Minute));
        Assert.Equal(new MinuteBar("binance", "BTCUSDT", At(10, 2, 0), 102m, 102m, 102m, 102m, 102m, 102m, 1, 1m, 3, Closed: false), none.Open);
        Assert.Equal(none.Open, all.Open);
    }

    [Fact]
    public async Task GetMinuteBars_ClosedBarOlderThanWindow_IsNotReturned()
    {
        // GetMinuteBars promises "the most recent closed minute bars still in the rolling window";
        // a reactivated actor only reloads bars of the window, so keeping older ones also makes the
        // answer depend on whether the actor was deactivated in between.
        await using var pair = await PairHarness.StartAsync(At(10, 0, 10), o => o.WindowLength = TimeSpan.FromMinutes(5));
        await pair.RecordAsync(Trade(1, At(10, 0, 10), 100m));
        pair.AdvanceTo(At(10, 20, 0));

        var bars = await pair.AskAsync(new GetMinuteBars(5));

        Assert.Single(pair.Updates.ClosedBars);
        Assert.Empty(bars.Closed);
        Assert.Null(bars.Open);
    }

    [Fact]
    public async Task OnActivateAsync_AfterRestartWithLastClosedBarBeforeWindowStart_DoesNotRepublishOrOverwriteIt()
    {
        await using var pair = await PairHarness.StartAsync(At(10, 0, 10), o => o.WindowLength = TimeSpan.FromMinutes(5));
        await pair.RecordAsync(Trade(1, At(10, 0, 10), 100m));
        pair.AdvanceTo(At(10, 0, 50));
        await pair.RecordAsync(Trade(2, At(10, 0, 50), 101m));
        pair.AdvanceTo(At(10, 1, 1));
        var latest = await pair.AskAsync(GetLatestPrice.Instance);
        var closed = Assert.Single(pair.Updates.ClosedBars);
        Assert.Equal(2, closed.Bar.Count);

        await pair.RestartAsync();
        pair.AdvanceTo(At(10, 5, 30)); // the window now starts inside the closed minute, at 10:00:30
        var recovered = await pair.AskAsync(GetLatestPrice.Instance);
        var stats = await pair.AskAsync(new GetWindowStats(At(10, 0, 0), At(10, 6, 0)));

        Assert.Equal(latest, recovered);
        Assert.Equal(1, stats.Count);
        Assert.Empty(pair.Updates.ClosedBars);
        var stored = await pair.Store.LoadAsync(Btc, At(10, 0, 0), CancellationToken.None);
        Assert.Equal(closed.Bar, Assert.Single(stored!.Bars));
    }

    [Fact]
    public async Task OnActivateAsync_AfterIdleDeactivation_KeepsEpochSequenceStatsAndClosedBars()
    {
        await using var pair = await PairHarness.StartAsync(
            At(10, 0, 0),
            o => o.WindowLength = TimeSpan.FromMinutes(5),
            o => (o.IdleTimeout, o.CollectionInterval) = (TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(30)));
        pair.AdvanceTo(At(10, 0, 10));
        await pair.RecordAsync(Trade(1, At(10, 0, 10), 100m, 1m));
        pair.AdvanceTo(At(10, 0, 40));
        await pair.RecordAsync(Trade(2, At(10, 0, 40), 102m, 2m));
        pair.AdvanceTo(At(10, 1, 20));
        await pair.RecordAsync(Trade(3, At(10, 1, 20), 101m, 1m));
        var period = new GetWindowStats(At(10, 0, 0), At(10, 5, 0));
        var statsBefore = await pair.AskAsync(period);
        pair.AdvanceTo(At(10, 2, 30));
        var latestBefore = await pair.AskAsync(GetLatestPrice.Instance);
        var barsBefore = await pair.AskAsync(new GetMinuteBars(5));

        pair.AdvanceTo(At(10, 5, 0)); // idle for 2 minutes at the 10:04:30 collection
        await pair.Host.Logs.WaitForCountAsync(1002, 1);
        var statsAfter = await pair.AskAsync(period);
        var latestAfter = await pair.AskAsync(GetLatestPrice.Instance);
        var barsAfter = await pair.AskAsync(new GetMinuteBars(5));
        var duplicate = await pair.RecordAsync(Trade(3, At(10, 1, 20), 101m, 1m));
        var next = await pair.RecordAsync(Trade(4, At(10, 5, 0), 103m, 1m));

        Assert.Equal(1, pair.Host.Logs.CountOf(2002));
        Assert.Equal(statsBefore, statsAfter);
        Assert.Equal(latestBefore, latestAfter);
        Assert.Equal(barsBefore, barsAfter, MinuteBarHistoryEquals);
        Assert.Equal([At(10, 0, 0), At(10, 1, 0)], pair.Updates.ClosedBars.Select(c => c.Bar.Minute));
        Assert.Equal(new TicksRecorded(0, 1, 0, 3), duplicate);
        Assert.Equal(new TicksRecorded(1, 0, 0, 4), next);
        Assert.Equal(At(10, 0, 10).ToUnixTimeMilliseconds(), pair.Updates.Prices[^1].Epoch);
        Assert.Equal(4, pair.Updates.Prices[^1].Sequence);
    }

    private static bool MinuteBarHistoryEquals(MinuteBarHistory? x, MinuteBarHistory? y) =>
        x is not null && y is not null && x.Closed.SequenceEqual(y.Closed) && Equals(x.Open, y.Open);

    private static DateTimeOffset At(int hour, int minute, double seconds) =>
        Day + new TimeSpan(hour, minute, 0) + TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));

    private static Tick Trade(long id, DateTimeOffset time, decimal price, decimal quantity = 1m, InstrumentKey? instrument = null) =>
        new(instrument ?? Btc, price, quantity, id, time, time);
}
