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
    public void Serialize_TickOfAnotherInstrument_Throws()
    {
        var at = DateTimeOffset.UnixEpoch;
        var foreign = new Tick(InstrumentKey.Parse("bybit:BTCUSDT"), 1m, 1m, 1, at, at);

        var error = Assert.ThrowsAny<Exception>(() => serializer.SerializeToArray(new TickBatch(Instrument, new[] { foreign })));

        Assert.Contains("bybit:BTCUSDT", error.ToString(), StringComparison.Ordinal);
    }
}
