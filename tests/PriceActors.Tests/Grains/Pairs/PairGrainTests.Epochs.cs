using PriceActors.Grains;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary>Feed mode epochs: trades of a later epoch start the pair over, trades of an earlier one are refused.</summary>
public sealed partial class PairGrainTests
{
    private const long TestEpoch = 1_000;
    private const long LiveEpoch = 2_000;

    [Fact]
    public async Task RecordTicksAsync_ALaterEpoch_ClosesTheOldBarAndStartsSequenceWindowAndBarsOver()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 0));
        await pair.Pair.RecordInEpochAsync(TestEpoch, Trade(500, At(10, 0, 1), 97_000m), Trade(501, At(10, 0, 2), 97_010m));

        // Live trade ids are far from the synthetic ones, lower here: still taken, in a sequence of their own.
        var live = await pair.Pair.RecordInEpochAsync(LiveEpoch, Trade(7, At(10, 0, 3), 89_000m, 2m));
        await pair.Pair.SettleAsync(2, 1);
        var stats = await pair.Pair.StatsAsync(At(10, 0, 0), At(10, 1, 0));
        var bars = await pair.Pair.BarsAsync(10);

        Assert.Equal(new TicksRecorded(1, 0, 0, 1), live);
        Assert.Equal((1L, 89_000m, 89_000m, 2m), (stats.Count, stats.High, stats.Low, stats.Volume));
        Assert.Empty(bars.Closed);
        Assert.Equal((89_000m, 1L), (bars.Open!.Open, bars.Open.Count));
        var closed = Assert.Single(pair.Updates.ClosedBars);
        Assert.Equal((TestEpoch, 2L, 97_010m), (closed.Epoch, closed.Bar.Count, closed.Bar.Close));
        Assert.Equal(new PriceUpdated("binance", "BTCUSDT", 89_000m, 2m, At(10, 0, 3), 1, LiveEpoch, 1), await pair.Pair.LatestAsync());
        Assert.Equal(1, pair.Logs.CountOf(2021));
    }

    [Fact]
    public async Task RecordTicksAsync_AnEarlierEpochAfterASwitch_IsRefusedWhole()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 0));
        await pair.Pair.RecordInEpochAsync(LiveEpoch, Trade(7, At(10, 0, 1), 89_000m));

        var late = await pair.Pair.RecordInEpochAsync(TestEpoch, Trade(502, At(10, 0, 2), 97_020m), Trade(503, At(10, 0, 3), 97_030m));
        var untagged = await pair.Pair.RecordInEpochAsync(0, Trade(8, At(10, 0, 4), 89_001m));

        Assert.Equal(new TicksRecorded(0, 0, 2, 1), late);
        Assert.Equal(new TicksRecorded(1, 0, 0, 2), untagged);
        Assert.Equal((LiveEpoch, 89_001m), ((await pair.Pair.LatestAsync())!.Epoch, (await pair.Pair.LatestAsync())!.Price));
        Assert.Equal(1, pair.Logs.CountOf(2020));
    }

    [Fact]
    public async Task Activation_AfterASwitch_LoadsOnlyTheCurrentEpochFromTheStore()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 0));
        await pair.Pair.RecordInEpochAsync(TestEpoch, Trade(500, At(10, 0, 1), 97_000m), Trade(501, At(10, 0, 2), 97_010m));
        await pair.Pair.RecordInEpochAsync(LiveEpoch, Trade(7, At(10, 0, 3), 89_000m));

        await pair.Pair.RestartAsync();
        var stats = await pair.Pair.StatsAsync(At(10, 0, 0), At(10, 1, 0));

        Assert.Equal((1L, 89_000m), (stats.Count, stats.High));
        Assert.Equal((LiveEpoch, 1L), ((await pair.Pair.LatestAsync())!.Epoch, (await pair.Pair.LatestAsync())!.Sequence));
    }
}
