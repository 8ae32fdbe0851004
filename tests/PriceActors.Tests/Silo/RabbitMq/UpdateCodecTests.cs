using PriceActors.Grains;
using PriceActors.Silo.RabbitMq;

namespace PriceActors.Tests.Silo.RabbitMq;

public sealed class UpdateCodecTests
{
    private static readonly InstrumentKey Key = InstrumentKey.Create("kraken", "XBT.EUR");

    [Fact]
    public void Decode_EncodedUpdatesAndBars_SameInOrderWithExactDecimals()
    {
        var minute = new DateTimeOffset(2026, 11, 21, 10, 1, 0, TimeSpan.Zero);
        object[] updates =
        [
            new PriceUpdated("kraken", "XBT.EUR", 1.10m, 0.000000001m, minute.AddSeconds(1), 41, 7),
            new MinuteBarClosed(new MinuteBar("kraken", "XBT.EUR", minute, 1.0m, 2.00m, 0.5m, 1.10m, 1.123456789012m, 1.2m, 9, 12.50m, 41, true), 7),
            new PriceUpdated("kraken", "XBT.EUR", decimal.MaxValue, decimal.MinValue, minute.AddMinutes(1), long.MaxValue, -1),
        ];

        var (instrument, decoded) = UpdateCodec.Decode(UpdateCodec.Encode(Key, updates));

        Assert.Equal(Key, instrument);
        Assert.Equal(updates, decoded);
        Assert.Equal(decimal.GetBits(2.00m), decimal.GetBits(((MinuteBarClosed)decoded[1]).Bar.High));
    }

    [Fact]
    public void Decode_Malformed_ThrowsFormatException()
    {
        var body = UpdateCodec.Encode(Key, [new PriceUpdated("kraken", "XBT.EUR", 1m, 1m, DateTimeOffset.UnixEpoch, 1, 1)]);
        var unknownKind = (byte[])body.Clone();
        unknownKind[2 + 1 + Key.Exchange.Length + 1 + Key.Symbol.Length + 4] = 9;

        Assert.Contains("unknown update kind 9", Assert.Throws<FormatException>(() => UpdateCodec.Decode(unknownKind)).Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => UpdateCodec.Decode(body.AsSpan(0, body.Length - 3)));
        Assert.Throws<FormatException>(() => UpdateCodec.Decode(TickCodec.Encode([TestTicks.Batch(Key, 1, 1)])));
    }
}
