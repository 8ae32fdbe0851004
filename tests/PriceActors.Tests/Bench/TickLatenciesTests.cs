using PriceActors.Bench;
using PriceActors.Grains;

namespace PriceActors.Tests.Bench;

public sealed class TickLatenciesTests
{
    private static readonly InstrumentKey A = InstrumentKey.Create("bench", "SYM1USDT");
    private static readonly InstrumentKey B = InstrumentKey.Create("bench", "SYM2USDT");
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    // Rounds of 5 ticks per instrument: round 0 is the warm-up's, rounds 1-3 are recorded, 10 s apart.
    private static readonly long[] Recorded = [T0.UtcTicks, T0.AddSeconds(10).UtcTicks, T0.AddSeconds(20).UtcTicks];

    [Fact]
    public void PerTick_UpdatesFoldingRounds_EachTickTimedFromItsOwnRoundAndEachUpdateFromItsNewest()
    {
        var latencies = Observed();

        var (ticks, slices) = latencies.PerTick(firstRound: 1, Recorded, ticksPerRound: 5, sliceSeconds: 10);

        // A: ticks 6-10 after 8 ms; ticks 11-20 (rounds 2 and 3) in one update 30 ms after round 3, so round 2's
        // waited 10,030 ms. B: ticks 1-15 in one update 15 ms after round 2 (round 0's are the warm-up's), then 16-20.
        Assert.Equal(30, ticks.Weight);
        Assert.Equal(30, ticks.Percentile(0.5));
        Assert.Equal(10_030, ticks.Percentile(0.99));
        Assert.Equal(10_030, ticks.Percentile(1));
        Assert.Equal(2, slices.Length);
        Assert.Equal(new long[] { 10, 20 }, slices.Select(s => s.Weight));
        Assert.Equal(new[] { 10_015.0, 10_030.0 }, slices.Select(s => s.Percentile(0.99)));

        // Timed by their newest tick, the four recorded updates hide the 10 s wait.
        var updates = latencies.PerUpdate(firstRound: 1, ticksPerRound: 5);
        Assert.Equal(4, updates.Weight);
        Assert.Equal(30, updates.Percentile(1));
        Assert.Equal(15, updates.Percentile(0.5));
    }

    [Fact]
    public void PerTick_TicksNoUpdateCovered_MissingFromTheCount()
    {
        var latencies = new TickLatencies([A, B]);
        latencies.Observe(Update(A, 15, T0.AddSeconds(10)), T0.AddSeconds(10).AddMilliseconds(4).UtcTicks);

        var (ticks, _) = latencies.PerTick(firstRound: 1, Recorded, ticksPerRound: 5, sliceSeconds: 10);

        Assert.Equal(10, ticks.Weight);
        Assert.Equal(10_004, ticks.Percentile(1));
        Assert.Equal(4, ticks.Percentile(0));
    }

    [Fact]
    public void PerTick_ARecordedRoundsUpdateBeforeTheGatewayHeardRecordingBegan_Counted()
    {
        var latencies = new TickLatencies([A, B]);

        latencies.Observe(Update(A, 10, T0), T0.AddMilliseconds(8).UtcTicks);

        var (ticks, _) = latencies.PerTick(firstRound: 1, Recorded, ticksPerRound: 5, sliceSeconds: 10);
        Assert.Equal(5, ticks.Weight);
        Assert.Equal(8, ticks.Percentile(1));
    }

    [Fact]
    public void Short_OneInstrumentBehind_ItAndTheLastSequenceSeen()
    {
        var latencies = Observed();

        Assert.Equal([("SYM2USDT", 20L)], latencies.Short(expected: 25));
        Assert.Empty(latencies.Short(expected: 20));
    }

    private static TickLatencies Observed()
    {
        var latencies = new TickLatencies([A, B]);
        latencies.Observe(Update(A, 5, T0.AddMilliseconds(-10)), T0.AddMilliseconds(-5).UtcTicks);
        latencies.Observe(Update(A, 10, T0), T0.AddMilliseconds(8).UtcTicks);
        latencies.Observe(Update(B, 15, T0.AddSeconds(10)), T0.AddSeconds(10).AddMilliseconds(15).UtcTicks);
        latencies.Observe(Update(B, 15, T0.AddSeconds(10)), T0.AddSeconds(11).UtcTicks);
        latencies.Observe(Update(A, 20, T0.AddSeconds(20)), T0.AddSeconds(20).AddMilliseconds(30).UtcTicks);
        latencies.Observe(Update(B, 20, T0.AddSeconds(20)), T0.AddSeconds(20).AddMilliseconds(2).UtcTicks);
        latencies.Stop();
        latencies.Observe(Update(A, 25, T0.AddSeconds(30)), T0.AddSeconds(30).AddMilliseconds(1).UtcTicks);
        return latencies;
    }

    private static PriceUpdated Update(InstrumentKey instrument, long sequence, DateTimeOffset newest) =>
        new(instrument.Exchange, instrument.Symbol, 100m, 1m, newest, sequence, Epoch: 1, FirstSequence: sequence);
}
