using PriceActors.Grains;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary>Missed updates: a subscriber's position is answered from the window, or with the reason it cannot be.</summary>
public sealed partial class PairGrainTests
{
    [Fact]
    public async Task GetUpdatesSinceAsync_APositionInTheWindow_AnswersOneUpdatePerLaterTradeInOrder()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 0));
        await pair.RecordAsync(Trade(1, At(10, 0, 1), 100m), Trade(2, At(10, 0, 2), 101m, 2m));
        await pair.RecordAsync(Trade(3, At(10, 0, 3), 102m, 3m), Trade(4, At(10, 0, 4), 103m, 4m));
        var epoch = At(10, 0, 0).ToUnixTimeMilliseconds();

        var replay = await pair.Pair.UpdatesSinceAsync(epoch, 2, 10);
        var paged = await pair.Pair.UpdatesSinceAsync(epoch, 1, 2);
        var current = await pair.Pair.UpdatesSinceAsync(epoch, 4, 10);

        Assert.Equal(ReplayOutcome.Filled, replay.Outcome);
        Assert.Equal(
            [
                new PriceUpdated("binance", "BTCUSDT", 102m, 3m, At(10, 0, 3), 3, epoch, 3),
                new PriceUpdated("binance", "BTCUSDT", 103m, 4m, At(10, 0, 4), 4, epoch, 4),
            ],
            replay.Updates);
        Assert.False(replay.HasMore);
        Assert.Equal([2L, 3L], paged.Updates.Select(u => u.Sequence));
        Assert.True(paged.HasMore);
        Assert.Equal((ReplayOutcome.Filled, 0, 4L), (current.Outcome, current.Updates.Length, current.Latest!.Sequence));
    }

    [Fact]
    public async Task GetUpdatesSinceAsync_TradesThatLeftTheWindow_AnswersTooOldWithTheLatest()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 0), o => o.WindowLength = TimeSpan.FromMinutes(1));
        await pair.RecordAsync(Trade(1, At(10, 0, 1), 100m), Trade(2, At(10, 0, 2), 101m));
        await pair.AdvanceToAsync(At(10, 1, 1.5));
        await pair.RecordAsync(Trade(3, At(10, 1, 1.5), 102m));
        var epoch = At(10, 0, 0).ToUnixTimeMilliseconds();

        var gone = await pair.Pair.UpdatesSinceAsync(epoch, 0, 10);
        var kept = await pair.Pair.UpdatesSinceAsync(epoch, 1, 10);

        // Trade 1 left the window (10:00:01 is more than a minute before 10:01:01.5), trade 2 is still in it.
        Assert.Equal((ReplayOutcome.TooOld, 3L), (gone.Outcome, gone.Latest!.Sequence));
        Assert.Empty(gone.Updates);
        Assert.Equal([2L, 3L], kept.Updates.Select(u => u.Sequence));
    }

    [Fact]
    public async Task GetUpdatesSinceAsync_AnotherEpochOrAPositionBeyondTheLastTrade_SaysSo()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 0));
        await pair.Pair.RecordInEpochAsync(TestEpoch, Trade(1, At(10, 0, 1), 100m));
        await pair.Pair.RecordInEpochAsync(LiveEpoch, Trade(7, At(10, 0, 2), 89_000m));

        var switched = await pair.Pair.UpdatesSinceAsync(TestEpoch, 1, 10);
        var ahead = await pair.Pair.UpdatesSinceAsync(LiveEpoch, 5, 10);

        Assert.Equal((ReplayOutcome.EpochChanged, LiveEpoch, 89_000m), (switched.Outcome, switched.Latest!.Epoch, switched.Latest.Price));
        Assert.Equal(ReplayOutcome.Ahead, ahead.Outcome);
    }

    [Fact]
    public async Task GetUpdatesSinceAsync_AfterANewActivation_ReplaysFromTheRebuiltWindow()
    {
        await using var pair = await PairGrainHarness.StartAsync(At(10, 0, 0));
        await pair.RecordAsync(Trade(1, At(10, 0, 1), 100m), Trade(2, At(10, 0, 2), 101m), Trade(3, At(10, 0, 3), 102m));
        var epoch = At(10, 0, 0).ToUnixTimeMilliseconds();
        var before = await pair.Pair.UpdatesSinceAsync(epoch, 1, 10);

        await pair.Pair.RestartAsync();
        var after = await pair.Pair.UpdatesSinceAsync(epoch, 1, 10);

        Assert.Equal(before.Updates, after.Updates);
        Assert.Equal([2L, 3L], after.Updates.Select(u => u.Sequence));
    }
}
