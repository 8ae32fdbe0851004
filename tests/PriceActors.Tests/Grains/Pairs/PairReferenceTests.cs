namespace PriceActors.Tests.Grains.Pairs;

/// <summary>A pair against <see cref="PairReference"/> over <see cref="RandomTickScript"/>s.</summary>
public abstract class PairReferenceTests
{
    public static TheoryData<int> Seeds => [1, 2, 3, 17, 2026];

    private protected abstract PairSimulation.TargetFactory Target { get; }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task GetWindowStats_RandomTrades_MatchesReference(int seed)
    {
        await using var simulation = await PairSimulation.StartAsync(Target, seed);

        await simulation.RunAsync();
        await simulation.FinishAsync();

        Assert.All(simulation.Stats, s => Assert.Equal(s.Expected, s.Actual));
        Assert.Contains(simulation.Stats, s => s.Expected.Count > 1 && s.Query.From < s.Expected.From);
        Assert.Contains(simulation.Stats, s => s.Expected.Count > 1 && s.Query.From == s.Expected.From);
        Assert.Contains(simulation.Stats, s => s.Expected.Count == 0);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task RecordTicks_RandomTrades_PublishesEachMinuteBarOnceWhenTheReferenceClosesIt(int seed)
    {
        await using var simulation = await PairSimulation.StartAsync(Target, seed);

        await simulation.RunAsync();
        await simulation.FinishAsync();

        Assert.All(simulation.Published, p => Assert.Equal(p.Expected, p.Actual));
        var minutesTraded = simulation.Reference.Accepted.Select(s => PairReference.MinuteOf(s.Tick.ExchangeTime)).Distinct().Count();
        Assert.Equal(minutesTraded, simulation.Updates.ClosedBars.Count);
        Assert.All(simulation.Updates.ClosedBars, c => Assert.Equal(simulation.Epoch, c.Epoch));
        Assert.True(minutesTraded > 50, $"only {minutesTraded} minutes traded");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task RecordTicks_RandomTrades_SequenceCountsAcceptedTicksInOneEpoch(int seed)
    {
        await using var simulation = await PairSimulation.StartAsync(Target, seed);

        await simulation.RunAsync();
        await simulation.FinishAsync();

        Assert.All(simulation.Replies, r => Assert.Equal(r.Expected, r.Actual));
        Assert.All(simulation.Latest, l => Assert.Equal(l.Expected, l.Actual));
        var prices = simulation.Updates.Prices;
        Assert.Equal(simulation.ExpectedPrices, prices);
        Assert.All(prices.Zip(prices.Skip(1)), p => Assert.True(p.First.Sequence < p.Second.Sequence));
        Assert.All(prices, p => Assert.Equal(simulation.Epoch, p.Epoch));
        Assert.Equal(simulation.Reference.Accepted.Count, prices[^1].Sequence);
        Assert.True(simulation.Replies.Sum(r => r.Actual.Duplicates) > 0, "no redelivered trade in the script");
        Assert.True(simulation.Replies.Sum(r => r.Actual.Rejected) > 0, "no late or foreign trade in the script");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task GetMinuteBars_RandomTrades_ReturnsNewestPublishedBarsOfTheWindowAndTheOpenBar(int seed)
    {
        await using var simulation = await PairSimulation.StartAsync(Target, seed);

        await simulation.RunAsync();
        await simulation.FinishAsync();

        Assert.All(simulation.Bars, o =>
        {
            Assert.Equal(o.ExpectedOpen, o.Actual.Open);
            var closed = o.Actual.Closed;
            Assert.InRange(closed.Count, 0, Math.Max(0, o.Limit));
            Assert.Equal(o.PublishedSoFar.Skip(o.PublishedSoFar.Count - closed.Count), closed);

            // Every bar that lies wholly inside the window is there, up to the limit.
            var inWindow = o.PublishedSoFar.Count(b => b.Minute >= o.Now - PairSimulation.WindowLength);
            Assert.InRange(closed.Count, Math.Min(o.Limit, inWindow), int.MaxValue);
        });
        Assert.Contains(simulation.Bars, o => o.Actual.Closed.Count > 1 && o.Actual.Open is not null);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task OnActivateAsync_AfterActivationEnds_ContinuesAsIfNeverStopped(int seed)
    {
        await using var simulation = await PairSimulation.StartAsync(Target, seed);

        await simulation.RunAsync(simulation.BatchCount / 3);
        await simulation.RestartAsync();
        await simulation.CheckAsync();
        await simulation.RunAsync(simulation.BatchCount / 3);
        await simulation.AdvanceToNextTradeAsync();
        await simulation.RestartAsync();
        await simulation.CheckAsync();
        await simulation.RunAsync();
        await simulation.FinishAsync();

        Assert.Equal(2, simulation.Target.Logs.CountOf(2002));
        Assert.All(simulation.Replies, r => Assert.Equal(r.Expected, r.Actual));
        Assert.Equal(simulation.ExpectedPrices, simulation.Updates.Prices);
        Assert.All(simulation.Latest, l => Assert.Equal(l.Expected, l.Actual));
        Assert.All(simulation.Stats, s => Assert.Equal(s.Expected, s.Actual));
        Assert.All(simulation.Published, p => Assert.Equal(p.Expected, p.Actual));
    }
}

/// <summary>The pair grain, in an Orleans test cluster, against the reference.</summary>
public sealed class PairGrainReferenceTests : PairReferenceTests
{
    private protected override PairSimulation.TargetFactory Target => GrainPairTarget.StartAsync;
}
