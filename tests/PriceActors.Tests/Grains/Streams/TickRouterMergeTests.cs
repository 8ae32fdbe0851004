using Microsoft.Extensions.DependencyInjection;
using Orleans.Providers.Streams.Common;
using Orleans.Serialization;
using Orleans.Streams;
using PriceActors.Grains;
using PriceActors.Grains.Streams;

namespace PriceActors.Tests.Grains.Streams;

/// <summary>How <see cref="TickRouterGrain"/> folds the rounds of one delivery into one batch per pair.</summary>
public sealed class TickRouterMergeTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 7, 18, 0, 0, TimeSpan.Zero);
    private static readonly InstrumentKey Btc = InstrumentKey.Parse("binance:BTCUSDT");
    private static readonly InstrumentKey Eth = InstrumentKey.Parse("binance:ETHUSDT");
    private static readonly InstrumentKey Sol = InstrumentKey.Parse("binance:SOLUSDT");

    [Fact]
    public void Merge_RoundsOfSeveralInstruments_OneBatchPerInstrumentWithItsTicksInRoundOrder()
    {
        SequentialItem<TickRound>[] rounds =
        [
            Round(0, Batch(Btc, 1, 2), Batch(Eth, 1)),
            Round(1, Batch(Sol, 10)),
            Round(2, Batch(Eth, 2, 3), Batch(Btc, 3)),
            Round(3, Batch(Btc, 4, 5, 6)),
        ];

        var merged = TickRouterGrain.Merge(rounds);

        Assert.Equal([Btc, Eth, Sol], merged.Select(b => b.Instrument));
        Assert.Equal([1L, 2, 3, 4, 5, 6], merged[0].Ticks.ToArray().Select(t => t.TradeId));
        Assert.Equal([1L, 2, 3], merged[1].Ticks.ToArray().Select(t => t.TradeId));
        Assert.Equal([10L], merged[2].Ticks.ToArray().Select(t => t.TradeId));
        Assert.All(merged, b => Assert.All(b.Ticks.ToArray(), t => Assert.Equal(b.Instrument, t.Instrument)));
    }

    [Fact]
    public void Merge_InstrumentInOneRoundOnly_KeepsItsBatchAsItCame()
    {
        var sol = Batch(Sol, 7, 8);

        var merged = TickRouterGrain.Merge([Round(0, Batch(Btc, 1)), Round(1, sol), Round(2, Batch(Btc, 2))]);

        Assert.Same(sol, merged[1]);
        Assert.Equal([1L, 2], merged[0].Ticks.ToArray().Select(t => t.TradeId));
    }

    [Fact]
    public void Serialize_SliceOfALargerBatch_CarriesOnlyTheSlice()
    {
        // A pair's share of a long delivery goes out in slices of MaxTicksPerCall.
        var serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();
        var whole = Batch(Btc, [.. Enumerable.Range(1, 20).Select(i => (long)i)]);

        var copy = serializer.Deserialize<TickBatch>(serializer.SerializeToArray(new TickBatch(Btc, whole.Ticks.Slice(5, 10))))!;

        Assert.Equal(Enumerable.Range(6, 10).Select(i => (long)i), copy.Ticks.ToArray().Select(t => t.TradeId));
    }

    private static SequentialItem<TickRound> Round(long sequence, params TickBatch[] batches) => new(new TickRound(batches), new EventSequenceTokenV2(sequence));

    private static TickBatch Batch(InstrumentKey instrument, params long[] tradeIds) =>
        new(instrument, tradeIds.Select(id => new Tick(instrument, 100m + id, 1m, id, At.AddSeconds(id), At.AddSeconds(id))).ToArray());
}
