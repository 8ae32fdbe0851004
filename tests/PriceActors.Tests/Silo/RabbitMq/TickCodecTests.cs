using PriceActors.Grains;
using PriceActors.Silo.RabbitMq;

namespace PriceActors.Tests.Silo.RabbitMq;

public sealed class TickCodecTests
{
    private static readonly InstrumentKey Btc = InstrumentKey.Create("binance", "BTCUSDT");
    private static readonly InstrumentKey Eth = InstrumentKey.Create("kraken", "ETH.USD");

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void Decode_EncodedRuns_SameTicksExactDecimalsAndRunsMerged(int version)
    {
        var time = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.FromHours(2));
        Tick T(InstrumentKey key, decimal price, decimal quantity, long id) => new(key, price, quantity, id, time.AddTicks(id % 1000), time.AddTicks((id % 1000) + 1));
        TickBatch[] runs =
        [
            new(Btc, new[] { T(Btc, 1.10m, 0.5m, 1), T(Btc, 1.1000m, 1.0000000000000000000000000001m, 2) }),
            new(Btc, new[] { T(Btc, decimal.MaxValue, decimal.MinValue, 3) }),
            new(Eth, Array.Empty<Tick>()),
            new(Eth, new[] { T(Eth, -0.00000001m, 0m, long.MaxValue), T(Eth, new decimal(0, 0, 0, true, 3), 18446744073709551615m, long.MinValue) }),
            new(Btc, new[] { T(Btc, 79228162514264337593543950335m, 1e-28m, 4) }),
        ];

        var body = TickCodec.Encode(runs, version);
        var decoded = TickCodec.Decode(body);

        Assert.Equal(version, body[1]);
        Assert.Equal([Btc, Eth, Btc], decoded.Select(b => b.Instrument));
        var expected = runs.SelectMany(r => r.Ticks.ToArray()).ToArray();
        var actual = decoded.SelectMany(r => r.Ticks.ToArray()).ToArray();
        Assert.Equal(expected, actual);
        Assert.Equal(expected.Select(t => decimal.GetBits(t.Price)), actual.Select(t => decimal.GetBits(t.Price)));
        Assert.Equal(expected.Select(t => decimal.GetBits(t.Quantity)), actual.Select(t => decimal.GetBits(t.Quantity)));
        Assert.All(actual, t => Assert.Equal(TimeSpan.Zero, t.ExchangeTime.Offset));
    }

    [Fact]
    public void Encode_TradesAsAFeedSeesThem_TakeAFractionOfVersion1sBytesAndComeBackTheSame()
    {
        // A trade a millisecond, ids counting up with gaps, times going back now and then, received 40-60 ms later.
        var start = new DateTimeOffset(2026, 11, 22, 1, 0, 0, TimeSpan.Zero);
        var random = new Random(7);
        var (id, at) = (4_123_456_789L, start);
        var ticks = new Tick[200];
        for (var i = 0; i < ticks.Length; i++)
        {
            id += random.Next(1, 4);
            at = at.AddTicks(random.Next(-2_000, 20_000));
            ticks[i] = new Tick(Btc, 97_000m + (random.Next(-5_000, 5_000) * 0.01m), random.Next(1, 100_000) * 0.00001m, id, at, at.AddTicks(random.Next(400_000, 600_000)));
        }

        var compact = TickCodec.Encode([new TickBatch(Btc, ticks)]);
        var fixedSize = TickCodec.Encode([new TickBatch(Btc, ticks)], version: 1);

        Assert.Equal(ticks, TickCodec.Decode(compact).Single().Ticks.ToArray());
        Assert.Equal(6 + 8 + 8 + 4 + (200 * 56), fixedSize.Length);
        Assert.InRange(compact.Length, 6 + 8 + 8 + 4 + (200 * 12), 6 + 8 + 8 + 4 + 16 + (200 * 17));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(1)]
    public void Decode_Probe_ValidMessageWithNoBatches(int version)
    {
        var probe = TickCodec.ProbeIn(version);

        Assert.Equal(TickCodec.Encode([], version), probe.ToArray());
        Assert.Equal(6, probe.Length);
        Assert.Equal(version, probe.Span[1]);
        Assert.Empty(TickCodec.Decode(probe.Span));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Encode_UnknownVersion_Throws(int version) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => TickCodec.Encode([TestTicks.Batch(Btc, 1, 1)], version));

    [Theory]
    [InlineData(new byte[0], "needs 1 more bytes")]
    [InlineData(new byte[] { (byte)'U', 1, 0, 0, 0, 0 }, "not a tick message")]
    [InlineData(new byte[] { (byte)'T', 9, 0, 0, 0, 0 }, "unsupported version 9")]
    [InlineData(new byte[] { (byte)'T', 1, 0xFF, 0xFF, 0xFF, 0x7F }, "run count")]
    [InlineData(new byte[] { (byte)'T', 1, 0, 0, 0, 0, 7 }, "trailing")]
    [InlineData(new byte[] { (byte)'T', 2, 0xFF, 0xFF, 0xFF, 0x7F }, "run count")]
    [InlineData(new byte[] { (byte)'T', 2, 0, 0, 0, 0, 7 }, "trailing")]
    public void Decode_MalformedHeader_ThrowsFormatException(byte[] body, string reason)
    {
        var error = Assert.Throws<FormatException>(() => TickCodec.Decode(body));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_TruncatedOrCorrupted_ThrowsFormatException()
    {
        var body = TickCodec.Encode([TestTicks.Batch(Btc, 1, 3)]);
        var firstTick = 6 + 1 + Btc.Exchange.Length + 1 + Btc.Symbol.Length + 4;

        for (var length = 0; length < body.Length; length++)
        {
            Assert.Throws<FormatException>(() => TickCodec.Decode(body.AsSpan(0, length)));
        }

        var badKey = (byte[])body.Clone();
        badKey[7] = (byte)'!';
        Assert.Contains("not valid", Assert.Throws<FormatException>(() => TickCodec.Decode(badKey)).Message, StringComparison.Ordinal);

        // The first tick's price starts with its scale: 29 is out of range, and so is the reserved bit.
        foreach (var head in new byte[] { 29, 0x20 | 2 })
        {
            var badDecimal = (byte[])body.Clone();
            badDecimal[firstTick] = head;
            Assert.Contains("invalid decimal", Assert.Throws<FormatException>(() => TickCodec.Decode(badDecimal)).Message, StringComparison.Ordinal);
        }

        // A mantissa varint that does not end within 64 bits (what follows keeps the tick count plausible).
        var endless = body[..firstTick].Concat([(byte)2]).Concat(Enumerable.Repeat((byte)0xFF, 10)).Concat(new byte[20]).ToArray();
        Assert.Contains("varint", Assert.Throws<FormatException>(() => TickCodec.Decode(endless)).Message, StringComparison.Ordinal);

        // Version 1: the first tick's price flags word (scale 29 is out of range) sits after header, key and count.
        var fixedBody = TickCodec.Encode([TestTicks.Batch(Btc, 1, 3)], version: 1);
        Assert.Throws<FormatException>(() => TickCodec.Decode(fixedBody.AsSpan(0, fixedBody.Length - 1)));
        fixedBody[firstTick + 12 + 2] = 29;
        Assert.Contains("invalid decimal", Assert.Throws<FormatException>(() => TickCodec.Decode(fixedBody)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_TimeOutOfRange_ThrowsFormatException()
    {
        var tick = new Tick(Btc, 1m, 1m, 1, DateTimeOffset.MaxValue, DateTimeOffset.MaxValue);
        var body = TickCodec.Encode([new TickBatch(Btc, new[] { tick })]);

        // The receive time's difference from the exchange time is its last byte: 0 (zigzag 0) becomes +1 tick, past the maximum.
        body[^1] = 2;

        Assert.Contains("out of range", Assert.Throws<FormatException>(() => TickCodec.Decode(body)).Message, StringComparison.Ordinal);
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
