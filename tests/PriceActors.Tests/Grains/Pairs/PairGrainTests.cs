using PriceActors.Grains;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary>
/// <see cref="PriceActors.Grains.Pairs.PairGrain"/> in a one-silo test cluster on a manual clock
/// (<see cref="PairGrainHarness"/>): what it takes, what it publishes and when it closes a bar.
/// </summary>
public sealed partial class PairGrainTests
{
    private const int RejectedEvent = 2001;
    private const int RecoveredEvent = 2002;
    private const int StoreFailedEvent = 2003;
    private const int ReopenedEvent = 2004;
    private static readonly InstrumentKey Btc = PairGrainHarness.Btc;
    private static readonly DateTimeOffset Day = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task GetLatestPriceAsync_BeforeFirstTrade_ReturnsNull()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 0));

        Assert.Null(await pair.Pair.LatestAsync());
    }

    [Fact]
    public async Task RecordTicksAsync_NewTrades_PublishesOnePriceUpdatePerBatchWithSequenceAndEpoch()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 0));
        var epoch = At(10, 0, 0).ToUnixTimeMilliseconds();

        var first = await pair.RecordAsync(Trade(1, At(10, 0, 1), 100m, 2m), Trade(2, At(10, 0, 2), 101m, 1m));
        var second = await pair.RecordAsync(Trade(3, At(10, 0, 3), 99m, 0.5m));
        await pair.Pair.SettleAsync(2, 0);

        Assert.Equal(new TicksRecorded(2, 0, 0, 2), first);
        Assert.Equal(new TicksRecorded(1, 0, 0, 3), second);
        PriceUpdated[] expected =
        [
            new("binance", "BTCUSDT", 101m, 1m, At(10, 0, 2), 2, epoch, 1),
            new("binance", "BTCUSDT", 99m, 0.5m, At(10, 0, 3), 3, epoch, 3),
        ];
        Assert.Equal(expected, pair.Updates.Received);
        Assert.Equal(expected[^1], await pair.Pair.LatestAsync());
    }

    [Fact]
    public async Task RecordTicksAsync_RedeliveredTradeIds_CountsDuplicatesAndIgnoresThem()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 0));
        await pair.RecordAsync(Trade(1, At(10, 0, 1), 100m), Trade(2, At(10, 0, 2), 101m), Trade(3, At(10, 0, 3), 102m));

        // Redelivered trades carry a different price here, so counting one would show in the stats.
        var mixed = await pair.RecordAsync(Trade(2, At(10, 0, 2), 500m), Trade(3, At(10, 0, 3), 500m), Trade(4, At(10, 0, 4), 103m), Trade(3, At(10, 0, 3), 500m));
        var onlyDuplicates = await pair.RecordAsync(Trade(4, At(10, 0, 4), 500m), Trade(1, At(10, 0, 1), 500m));
        await pair.AdvanceToAsync(At(10, 0, 5));
        var stats = await pair.Pair.StatsAsync(At(10, 0, 0), At(10, 1, 0));

        // The next trade's update follows the updates so far on the stream: none came between for the duplicates.
        await pair.RecordAsync(Trade(5, At(10, 0, 5), 104m));
        await pair.Pair.SettleAsync(3, 0);

        Assert.Equal(new TicksRecorded(1, 3, 0, 4), mixed);
        Assert.Equal(new TicksRecorded(0, 2, 0, 4), onlyDuplicates);
        Assert.Equal((4L, 103m, 100m, 4m), (stats.Count, stats.High, stats.Low, stats.Volume));
        Assert.Equal([3L, 4L, 5L], pair.Updates.Prices.Select(p => p.Sequence));
    }

    [Fact]
    public async Task RecordTicksAsync_TradeOlderThanOpenBar_IsRejected()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 1, 5));
        await pair.RecordAsync(Trade(1, At(10, 1, 5), 100m));

        var late = await pair.RecordAsync(Trade(2, At(10, 0, 59.9999999), 90m));
        var next = await pair.RecordAsync(Trade(3, At(10, 1, 6), 101m));

        Assert.Equal(new TicksRecorded(0, 0, 1, 1), late);
        Assert.Equal(new TicksRecorded(1, 0, 0, 2), next);
        Assert.Equal(1, pair.Logs.CountOf(RejectedEvent));
        var stats = await pair.Pair.StatsAsync(At(10, 0, 0), At(10, 2, 0));
        Assert.Equal((2L, 100m, 101m), (stats.Count, stats.Low, stats.High));
    }

    [Fact]
    public async Task RecordTicksAsync_TradeOfAnotherInstrument_IsRejected()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 0));
        var other = InstrumentKey.Parse("bybit:BTCUSDT");
        await pair.RecordAsync(Trade(5, At(10, 0, 1), 100m));

        var reply = await pair.Pair.RecordInSiloAsync([Trade(6, At(10, 0, 2), 200m) with { Instrument = other }, Trade(1, At(10, 0, 2), 200m) with { Instrument = other }]);
        var next = await pair.RecordAsync(Trade(6, At(10, 0, 3), 101m));
        await pair.Pair.SettleAsync(2, 0);

        Assert.Equal(new TicksRecorded(0, 0, 2, 1), reply);
        Assert.Equal(new TicksRecorded(1, 0, 0, 2), next);
        Assert.Equal(1, pair.Logs.CountOf(RejectedEvent));
        Assert.Equal([100m, 101m], pair.Updates.Prices.Select(p => p.Price));
    }

    [Fact]
    public async Task RecordTicksAsync_TradeOfEndedMinuteWithinGrace_JoinsItsBarUntilTheTimerClosesIt()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 30));
        await pair.RecordAsync(Trade(1, At(10, 0, 30), 100m));
        await pair.AdvanceToAsync(At(10, 1, 0.5));

        var withinGrace = await pair.RecordAsync(Trade(2, At(10, 0, 59.9999999), 101m));
        await pair.AdvanceToAsync(At(10, 1, 1));
        var closedByTimer = await pair.Pair.BarsAsync(10);
        var nextMinute = await pair.RecordAsync(Trade(3, At(10, 1, 0), 103m));
        await pair.Pair.SettleAsync(3, 1);

        Assert.Equal(new TicksRecorded(1, 0, 0, 2), withinGrace);
        Assert.Equal(new TicksRecorded(1, 0, 0, 3), nextMinute);
        Assert.Null(closedByTimer.Open);
        var closed = Assert.Single(pair.Updates.ClosedBars).Bar;
        Assert.Equal([closed], closedByTimer.Closed);
        Assert.Equal((At(10, 0, 0), 2L, 101m, 2L), (closed.Minute, closed.Count, closed.Close, closed.LastSequence));
        var open = (await pair.Pair.BarsAsync(10)).Open;
        Assert.NotNull(open);
        Assert.Equal((At(10, 1, 0), 1L, 103m, false), (open.Minute, open.Count, open.Close, open.Closed));
    }

    [Fact]
    public async Task RecordTicksAsync_TradeOfMinuteAfterTimerClosedIt_ReopensTheBarAndPublishesItAmended()
    {
        // Delivery was delayed (a stream that fell behind): the timer closed 10:00 before its last trade arrived.
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 30));
        await pair.RecordAsync(Trade(1, At(10, 0, 30), 100m));
        await pair.AdvanceToAsync(At(10, 1, 5));

        var late = await pair.RecordAsync(Trade(2, At(10, 0, 59), 102m, 3m));
        var nextMinute = await pair.RecordAsync(Trade(3, At(10, 1, 0), 103m));
        await pair.Pair.SettleAsync(3, 2);

        Assert.Equal(new TicksRecorded(1, 0, 0, 2), late);
        Assert.Equal(new TicksRecorded(1, 0, 0, 3), nextMinute);
        Assert.Equal(1, pair.Logs.CountOf(ReopenedEvent));
        var epoch = At(10, 0, 30).ToUnixTimeMilliseconds();
        var first = new MinuteBar("binance", "BTCUSDT", At(10, 0, 0), 100m, 100m, 100m, 100m, 100m, 100m, 1, 1m, 1, Closed: true);
        Assert.Equal([new MinuteBarClosed(first, epoch), new MinuteBarClosed(TenOClockBar, epoch)], pair.Updates.ClosedBars);
        Assert.Equal([TenOClockBar], (await pair.Pair.BarsAsync(10)).Closed);
        var stats = await pair.Pair.StatsAsync(At(10, 0, 0), At(10, 1, 5));
        Assert.Equal((3L, 103m, 100m), (stats.Count, stats.High, stats.Low));
    }

    [Fact]
    public async Task RecordTicksAsync_TradeOfMinuteBeforeTheLastClosedOne_IsRejected()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 1, 30));
        await pair.RecordAsync(Trade(1, At(10, 0, 30), 100m), Trade(2, At(10, 1, 30), 101m));
        await pair.AdvanceToAsync(At(10, 2, 5));

        var older = await pair.RecordAsync(Trade(3, At(10, 0, 59), 99m));
        await pair.Pair.SettleAsync(1, 2);

        Assert.Equal(new TicksRecorded(0, 0, 1, 2), older);
        Assert.Equal((1, 0), (pair.Logs.CountOf(RejectedEvent), pair.Logs.CountOf(ReopenedEvent)));
        var logged = pair.Logs.Entries.Single(e => e.EventId == RejectedEvent).Message;
        Assert.Contains("1 late", logged, StringComparison.Ordinal);
        Assert.Matches("closed up to .*10:02:00", logged);
        Assert.Equal([At(10, 0, 0), At(10, 1, 0)], pair.Updates.ClosedBars.Select(c => c.Bar.Minute));
        Assert.Equal([At(10, 0, 0), At(10, 1, 0)], (await pair.Pair.BarsAsync(10)).Closed.Select(b => b.Minute));
    }

    [Fact]
    public async Task BarTimer_NoLaterTrade_ClosesBarExactlyAtMinuteEndPlusGrace()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 0), o => o.BarCloseGrace = TimeSpan.FromSeconds(5));
        await pair.RecordAsync(Trade(1, At(10, 0, 0), 100.10m, 2m));
        await pair.AdvanceToAsync(At(10, 0, 30));
        await pair.RecordAsync(Trade(2, At(10, 0, 30), 100.00m, 1m));
        await pair.AdvanceToAsync(At(10, 0, 59.9999999));
        await pair.RecordAsync(Trade(3, At(10, 0, 59.9999999), 100.40m, 1m));
        var expected = new MinuteBar("binance", "BTCUSDT", At(10, 0, 0), 100.10m, 100.40m, 100.00m, 100.40m, 100.166666666667m, 100.15m, 3, 4m, 3, Closed: true);

        await pair.AdvanceToAsync(At(10, 1, 5) - TimeSpan.FromTicks(1));
        var before = await pair.Pair.BarsAsync(10);
        await pair.AdvanceToAsync(At(10, 1, 5));
        var after = await pair.Pair.BarsAsync(10);
        await pair.Pair.SettleAsync(3, 1);

        Assert.Empty(before.Closed);
        Assert.Equal(expected with { Closed = false }, before.Open);
        Assert.Equal([expected], after.Closed);
        Assert.Null(after.Open);
        var published = Assert.Single(pair.Updates.ClosedBars);
        Assert.Equal(new MinuteBarClosed(expected, At(10, 0, 0).ToUnixTimeMilliseconds()), published);
    }

    [Fact]
    public async Task RecordTicksAsync_TradeOfLaterMinute_PublishesClosedBarBeforeThePriceUpdate()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 1, 0));

        await pair.RecordAsync(Trade(1, At(10, 0, 10), 100m, 1m), Trade(2, At(10, 0, 59.9999999), 102m, 3m), Trade(3, At(10, 1, 0), 104m, 1m));
        await pair.Pair.SettleAsync(1, 1);

        var epoch = At(10, 1, 0).ToUnixTimeMilliseconds();
        var bar = new MinuteBar("binance", "BTCUSDT", At(10, 0, 0), 100m, 102m, 100m, 102m, 101m, 101.5m, 2, 4m, 2, Closed: true);
        object[] expected = [new MinuteBarClosed(bar, epoch), new PriceUpdated("binance", "BTCUSDT", 104m, 1m, At(10, 1, 0), 3, epoch, 1)];
        Assert.Equal(expected, pair.Updates.Received);
    }

    /// <summary>The closed bar of 10:00 with two trades: 100 (quantity 1, sequence 1), then 102 (quantity 3, sequence 2).</summary>
    private static MinuteBar TenOClockBar =>
        new("binance", "BTCUSDT", At(10, 0, 0), 100m, 102m, 100m, 102m, 101m, 101.5m, 2, 4m, 2, Closed: true);

    private static DateTimeOffset At(int hour, int minute, double seconds) =>
        Day + new TimeSpan(hour, minute, 0) + TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond));

    private static Tick Trade(long id, DateTimeOffset time, decimal price, decimal quantity = 1m) => new(Btc, price, quantity, id, time, time);
}
