using PriceActors.Grains;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary><see cref="IPairGrain.GetWindowStatsAsync"/> and <see cref="IPairGrain.GetMinuteBarsAsync"/>.</summary>
public sealed partial class PairGrainTests
{
    [Fact]
    public async Task GetWindowStatsAsync_ToBeforeFrom_ThrowsArgumentException()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 0));

        var error = await Assert.ThrowsAsync<ArgumentException>(() => pair.Pair.StatsAsync(At(10, 0, 1), At(10, 0, 0)));

        Assert.StartsWith("The period ends (", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetWindowStatsAsync_PeriodStartingBeforeWindow_IsAnsweredFromWindowStart()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 10), o => o.WindowLength = TimeSpan.FromMinutes(5));
        await pair.RecordAsync(Trade(1, At(10, 0, 10), 100m, 1m));
        await pair.AdvanceToAsync(At(10, 2, 0));
        await pair.RecordAsync(Trade(2, At(10, 2, 0), 110m, 2m));
        await pair.AdvanceToAsync(At(10, 6, 0));
        await pair.RecordAsync(Trade(3, At(10, 6, 0), 120m, 3m));
        await pair.AdvanceToAsync(At(10, 6, 30));

        var stats = await pair.Pair.StatsAsync(At(10, 0, 0), At(10, 7, 0));

        Assert.Equal(new WindowStats("binance", "BTCUSDT", At(10, 1, 30), At(10, 7, 0), 2, 120m, 110m, 115m, 116m, 110m, 120m, 5m), stats);
    }

    [Fact]
    public async Task GetWindowStatsAsync_NoTradesInPeriod_ReturnsZeroCountAndNulls()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 5, 0));
        await pair.RecordAsync(Trade(1, At(10, 4, 0), 100m));

        var stats = await pair.Pair.StatsAsync(At(10, 4, 0.0000001), At(10, 5, 0));

        Assert.Equal(new WindowStats("binance", "BTCUSDT", At(10, 4, 0.0000001), At(10, 5, 0), 0, null, null, null, null, null, null, 0m), stats);
    }

    [Fact]
    public async Task GetMinuteBarsAsync_Limit_ReturnsThatManyNewestClosedBarsAndTheOpenBar()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 10));
        await pair.RecordAsync(Trade(1, At(10, 0, 10), 100m));
        await pair.AdvanceToAsync(At(10, 1, 0));
        await pair.RecordAsync(Trade(2, At(10, 1, 0), 101m));
        await pair.AdvanceToAsync(At(10, 2, 0));
        await pair.RecordAsync(Trade(3, At(10, 2, 0), 102m));

        var none = await pair.Pair.BarsAsync(0);
        var negative = await pair.Pair.BarsAsync(-3);
        var one = await pair.Pair.BarsAsync(1);
        var all = await pair.Pair.BarsAsync(100);

        Assert.Empty(none.Closed);
        Assert.Empty(negative.Closed);
        Assert.Equal([At(10, 1, 0)], one.Closed.Select(b => b.Minute));
        Assert.Equal([At(10, 0, 0), At(10, 1, 0)], all.Closed.Select(b => b.Minute));
        Assert.Equal(new MinuteBar("binance", "BTCUSDT", At(10, 2, 0), 102m, 102m, 102m, 102m, 102m, 102m, 1, 1m, 3, Closed: false), none.Open);
        Assert.Equal(none.Open, all.Open);
    }

    [Fact]
    public async Task GetMinuteBarsAsync_ClosedBarOlderThanWindow_IsNotReturned()
    {
        // The bars "still in the rolling window": a new activation loads only those, so keeping older ones would make
        // the answer depend on whether the grain was deactivated in between.
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 10), o => o.WindowLength = TimeSpan.FromMinutes(5));
        await pair.RecordAsync(Trade(1, At(10, 0, 10), 100m));
        await pair.AdvanceToAsync(At(10, 5, 0));
        var inWindow = await pair.Pair.BarsAsync(5);
        await pair.AdvanceToAsync(At(10, 20, 0));

        var bars = await pair.Pair.BarsAsync(5);

        await pair.Pair.SettleAsync(1, 1);
        Assert.Equal(At(10, 0, 0), Assert.Single(pair.Updates.ClosedBars).Bar.Minute);
        Assert.Equal(pair.Updates.ClosedBars[0].Bar, Assert.Single(inWindow.Closed));
        Assert.Empty(bars.Closed);
        Assert.Null(bars.Open);
    }
}
