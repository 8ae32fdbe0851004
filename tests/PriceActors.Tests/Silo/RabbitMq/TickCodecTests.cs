using PriceActors.Grains;
using PriceActors.Silo.RabbitMq;

namespace PriceActors.Tests.Silo.RabbitMq;

public sealed class TickCodecTests
{
    private static readonly InstrumentKey Btc = InstrumentKey.Create("binance", "BTCUSDT");
    private static readonly InstrumentKey Eth = InstrumentKey.Create("kraken", "ETH.USD");

    [Fact]
    public void Decode_EncodedRuns_SameTicksExactDecimalsAndRunsMerged()
    {
        var time = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.FromHours(2));
        Tick T(InstrumentKey key, decimal price, decimal quantity, long id) => new(key, price, quantity, id, time.AddTicks(id % 1000), time.AddTicks((id % 1000) + 1));
        TickBatch[] runs =
        [
            new(Btc, new[] { T(Btc, 1.10m, 0.5m, 1), T(Btc, 1.1000m, 1.0000000000000000000000000001m, 2) }),
            new(Btc, new[] { T(Btc, decimal.MaxValue, decimal.MinValue, 3) }),
            new(Eth, Array.Empty<Tick>()),
            new(Eth, new[] { T(Eth, -0.00000001m, 0m, long.MaxValue) }),
            new(Btc, new[] { T(Btc, 79228162514264337593543950335m, 1e-28m, 4) }),
        ];

        var decoded = TickCodec.Decode(TickCodec.Encode(runs));

        Assert.Equal([Btc, Eth, Btc], decoded.Select(b => b.Instrument));
        var expected = runs.SelectMany(r => r.Ticks.ToArray()).ToArray();
        var actual = decoded.SelectMany(r => r.Ticks.ToArray()).ToArray();
        Assert.Equal(expected, actual);
        Assert.Equal(expected.Select(t => decimal.GetBits(t.Price)), actual.Select(t => decimal.GetBits(t.Price)));
        Assert.Equal(expected.Select(t => decimal.GetBits(t.Quantity)), actual.Select(t => decimal.GetBits(t.Quantity)));
        Assert.All(actual, t => Assert.Equal(TimeSpan.Zero, t.ExchangeTime.Offset));
    }

    [Fact]
    public void Decode_Probe_ValidMessageWithNoBatches()
    {
        Assert.Equal(TickCodec.Encode([]), TickCodec.Probe.ToArray());
        Assert.Equal(6, TickCodec.Probe.Length);
        Assert.Empty(TickCodec.Decode(TickCodec.Probe.Span));
    }

    [Theory]
    [InlineData(new byte[0], "needs 1 more bytes")]
    [InlineData(new byte[] { (byte)'U', 1, 0, 0, 0, 0 }, "not a tick message")]
    [InlineData(new byte[] { (byte)'T', 9, 0, 0, 0, 0 }, "unsupported version 9")]
    [InlineData(new byte[] { (byte)'T', 1, 0xFF, 0xFF, 0xFF, 0x7F }, "run count")]
    [InlineData(new byte[] { (byte)'T', 1, 0, 0, 0, 0, 7 }, "trailing")]
    public void Decode_MalformedHeader_ThrowsFormatException(byte[] body, string reason)
    {
        var error = Assert.Throws<FormatException>(() => TickCodec.Decode(body));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_TruncatedOrCorrupted_ThrowsFormatException()
    {
        var body = TickCodec.Encode([TestTicks.Batch(Btc, 1, 3)]);

        Assert.Throws<FormatException>(() => TickCodec.Decode(body.AsSpan(0, body.Length - 1)));

        var badKey = (byte[])body.Clone();
        badKey[7] = (byte)'!';
        Assert.Contains("not valid", Assert.Throws<FormatException>(() => TickCodec.Decode(badKey)).Message, StringComparison.Ordinal);

        // The first tick's price flags word (scale 29 is out of range) sits after header, key and count.
        var badDecimal = (byte[])body.Clone();
        var flags = 6 + 1 + Btc.Exchange.Length + 1 + Btc.Symbol.Length + 4 + 12;
        badDecimal[flags + 2] = 29;
        Assert.Contains("invalid decimal", Assert.Throws<FormatException>(() => TickCodec.Decode(badDecimal)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_SameInstrumentInLaterMessages_SharesTheFirstDecodedKeysStrings()
    {
        var instrument = InstrumentKey.Create("codec", "SHARED.NAMES");

        var first = TickCodec.Decode(TickCodec.Encode([TestTicks.Batch(instrument, 1, 2)]))[0].Instrument;
        var second = TickCodec.Decode(TickCodec.Encode([TestTicks.Batch(instrument, 3, 1)]))[0].Instrument;

        Assert.Equal(instrument, second);
        Assert.Same(first.Value, second.Value);
        Assert.Same(first.Exchange, second.Exchange);
        Assert.Same(first.Symbol, second.Symbol);
    }

    [Fact]
    public void Decode_InvalidInstrumentAgain_StillRejected()
    {
        var body = TickCodec.Encode([TestTicks.Batch(InstrumentKey.Create("codec", "BAD"), 1, 1)]);
        body[7] = (byte)'!';

        Assert.Contains("not valid", Assert.Throws<FormatException>(() => TickCodec.Decode(body)).Message, StringComparison.Ordinal);
        Assert.Contains("not valid", Assert.Throws<FormatException>(() => TickCodec.Decode(body)).Message, StringComparison.Ordinal);
    }
}
