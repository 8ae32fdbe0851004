using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using PriceActors.Grains;

namespace PriceActors.Tests.Grains;

/// <summary>A <see cref="TickBatch"/> through Orleans' serializer, as the tick streams and grain calls carry it.</summary>
public sealed class TickBatchSerializationTests
{
    private static readonly InstrumentKey Instrument = InstrumentKey.Parse("binance:BTCUSDT");

    private readonly Serializer serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    [Fact]
    public void RoundTrip_ExactDecimalsIdsAndTimes_ComeBackEqual()
    {
        var at = new DateTimeOffset(2026, 12, 7, 13, 59, 59, TimeSpan.Zero).AddTicks(1234567);
        Tick[] ticks =
        [
            new(Instrument, 96_967.570m, 0.006478m, 1, at, at.AddMilliseconds(3)),
            new(Instrument, 0.000000000000000001m, 79_228_162_514_264_337_593_543_950_335m, long.MaxValue, at, at),
            new(Instrument, 3.10m, 1m, 7, at.AddTicks(-5), at.AddTicks(-9)),
            new(Instrument, 12345678901234567890.123456789m, 0m, -3, DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue),
        ];

        var copy = serializer.Deserialize<TickBatch>(serializer.SerializeToArray(new TickBatch(Instrument, ticks)))!;

        Assert.Equal(Instrument, copy.Instrument);
        Assert.Equal(ticks, copy.Ticks.ToArray());
        Assert.Equal(["96967.570", "0.006478"], [copy.Ticks.Span[0].Price.ToString(System.Globalization.CultureInfo.InvariantCulture), copy.Ticks.Span[0].Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
    }

    [Fact]
    public void RoundTrip_Empty_ComesBackEmpty()
    {
        var copy = serializer.Deserialize<TickBatch>(serializer.SerializeToArray(new TickBatch(Instrument, Array.Empty<Tick>())))!;

        Assert.Equal(Instrument, copy.Instrument);
        Assert.True(copy.Ticks.IsEmpty);
    }

    [Fact]
    public void RoundTrip_TickRoundOfSeveralInstruments_ComesBackEqualInOrder()
    {
        var at = new DateTimeOffset(2026, 12, 7, 14, 0, 0, TimeSpan.Zero);
        var eth = InstrumentKey.Parse("binance:ETHUSDT");
        TickBatch[] batches =
        [
            new(Instrument, new[] { new Tick(Instrument, 96_967.57m, 0.5m, 41, at, at), new Tick(Instrument, 96_968m, 1m, 42, at, at) }),
            new(eth, new[] { new Tick(eth, 3_051.25m, 2.125m, 7, at, at) }),
        ];

        var copy = serializer.Deserialize<TickRound>(serializer.SerializeToArray(new TickRound(batches)))!;

        Assert.Equal([Instrument, eth], copy.Batches.Select(b => b.Instrument));
        Assert.Equal(batches.Select(b => b.Ticks.ToArray()), copy.Batches.Select(b => b.Ticks.ToArray()));
    }

    [Fact]
    public void ShardOf_EveryInstrument_IsAStableStreamOfItsExchange()
    {
        var symbols = Enumerable.Range(1, 200).Select(i => $"SYN{i:D4}USDT").ToArray();
        var shards = symbols.Select(s => StreamNames.ShardOf(InstrumentKey.Create("binance", s))).ToArray();

        Assert.All(shards, s => Assert.InRange(s, 0, StreamNames.TickStreamsPerExchange - 1));
        Assert.Equal(StreamNames.TickStreamsPerExchange, shards.Distinct().Count());
        Assert.All(shards.GroupBy(s => s), g => Assert.InRange(g.Count(), 25, 75));
        // FNV-1a of "BTCUSDT" mod 4: the same in every process, whatever its runtime.
        Assert.Equal("ticks/binance/" + StreamNames.ShardOf(Instrument), StreamNames.TicksOf(Instrument).ToString());
        Assert.Equal(StreamNames.ShardOf(InstrumentKey.Create("okx", "BTCUSDT")), StreamNames.ShardOf(Instrument));
    }

    [Fact]
    public void Serialize_TickOfAnotherInstrument_Throws()
    {
        var at = DateTimeOffset.UnixEpoch;
        var foreign = new Tick(InstrumentKey.Parse("bybit:BTCUSDT"), 1m, 1m, 1, at, at);

        var error = Assert.ThrowsAny<Exception>(() => serializer.SerializeToArray(new TickBatch(Instrument, new[] { foreign })));

        Assert.Contains("bybit:BTCUSDT", error.ToString(), StringComparison.Ordinal);
    }
}
