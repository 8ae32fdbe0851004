using System.Buffers.Binary;
using PriceActors.Grains;
using PriceActors.Silo.RabbitMq;

namespace PriceActors.Tests.Silo.RabbitMq;

public sealed class UpdateCodecTests
{
    private static readonly InstrumentKey Key = InstrumentKey.Create("kraken", "XBT.EUR");
    private static readonly InstrumentKey Other = InstrumentKey.Create("binance", "BTCUSDT");
    private static readonly DateTimeOffset Minute = new(2026, 11, 21, 10, 1, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Sent = Minute.AddSeconds(61).AddTicks(1234567);

    [Fact]
    public void Decode_EncodedUpdatesAndBars_SameInOrderWithExactDecimals()
    {
        object[] updates =
        [
            new PriceUpdated("kraken", "XBT.EUR", 1.10m, 0.000000001m, Minute.AddSeconds(1), 41, 7),
            new MinuteBarClosed(new MinuteBar("kraken", "XBT.EUR", Minute, 1.0m, 2.00m, 0.5m, 1.10m, 1.123456789012m, 1.2m, 9, 12.50m, 41, true), 7),
            new PriceUpdated("kraken", "XBT.EUR", decimal.MaxValue, decimal.MinValue, Minute.AddMinutes(1), long.MaxValue, -1),
        ];

        var message = UpdateCodec.Decode(UpdateCodec.Encode(Key, updates, Sent));

        var section = Assert.Single(message.Sections);
        Assert.Equal(Sent, message.SentAt);
        Assert.Equal(Key, section.Instrument);
        Assert.Equal(updates, section.Updates);
        Assert.Equal(decimal.GetBits(2.00m), decimal.GetBits(((MinuteBarClosed)section.Updates[1]).Bar.High));
    }

    [Fact]
    public void Decode_SeveralInstruments_EachSectionItsOwnUpdatesInOrder()
    {
        UpdateSection[] sections =
        [
            new(Key, [Price(Key, 1), Price(Key, 2)]),
            new(Other, [new MinuteBarClosed(new MinuteBar("binance", "BTCUSDT", Minute, 1m, 2m, 0.5m, 1.5m, 1.25m, 1.3m, 4, 3m, 9, true), 3), Price(Other, 10)]),
            new(InstrumentKey.Create("okx", "ETH-USDT"), []),
        ];

        var decoded = UpdateCodec.Decode(UpdateCodec.Encode(sections, Sent)).Sections;

        Assert.Equal(sections.Select(s => s.Instrument), decoded.Select(s => s.Instrument));
        for (var i = 0; i < sections.Length; i++)
        {
            Assert.Equal(sections[i].Updates, decoded[i].Updates);
        }
    }

    [Fact]
    public void Decode_Version2Message_SectionsWithoutSendTime()
    {
        // What silos published before the send time: version 2, the section count right after the version.
        var timed = UpdateCodec.Encode([new UpdateSection(Key, [Price(Key, 5)]), new UpdateSection(Other, [Price(Other, 6)])], Sent);
        byte[] version2 = [(byte)'U', 2, .. timed.AsSpan(2 + 8)];

        var message = UpdateCodec.Decode(version2);

        Assert.Null(message.SentAt);
        Assert.Equal([Key, Other], message.Sections.Select(s => s.Instrument));
        Assert.Equal([Price(Other, 6)], message.Sections[1].Updates);
    }

    [Fact]
    public void Decode_Version1Message_OneSection()
    {
        // What silos published before multi-instrument messages: version 1, no send time, no section count.
        var single = UpdateCodec.Encode(Key, [Price(Key, 5)], Sent);
        byte[] version1 = [(byte)'U', 1, .. single.AsSpan(2 + 8 + 4)];

        var message = UpdateCodec.Decode(version1);

        var section = Assert.Single(message.Sections);
        Assert.Null(message.SentAt);
        Assert.Equal(Key, section.Instrument);
        Assert.Equal([Price(Key, 5)], section.Updates);
    }

    [Fact]
    public void Decode_Malformed_ThrowsFormatException()
    {
        var body = UpdateCodec.Encode(Key, [Price(Key, 1)], Sent);
        var unknownKind = (byte[])body.Clone();
        unknownKind[2 + 8 + 4 + 1 + Key.Exchange.Length + 1 + Key.Symbol.Length + 4] = 9;
        var version4 = (byte[])body.Clone();
        version4[1] = 4;
        var hugeSectionCount = (byte[])body.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(hugeSectionCount.AsSpan(2 + 8), 1_000_000);

        Assert.Contains("unknown update kind 9", Assert.Throws<FormatException>(() => UpdateCodec.Decode(unknownKind)).Message, StringComparison.Ordinal);
        Assert.Contains("version 4", Assert.Throws<FormatException>(() => UpdateCodec.Decode(version4)).Message, StringComparison.Ordinal);
        Assert.Contains("section count 1000000", Assert.Throws<FormatException>(() => UpdateCodec.Decode(hugeSectionCount)).Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => UpdateCodec.Decode(body.AsSpan(0, body.Length - 3)));
        Assert.Throws<FormatException>(() => UpdateCodec.Decode(body.AsSpan(0, 2 + 5)));
        Assert.Throws<FormatException>(() => UpdateCodec.Decode(UpdateCodec.Encode([new UpdateSection(Key, [Price(Key, 1)]), new UpdateSection(Other, [])], Sent).AsSpan(0, body.Length)));
        Assert.Throws<FormatException>(() => UpdateCodec.Decode(TickCodec.Encode([TestTicks.Batch(Key, 1, 1)])));
    }

    private static PriceUpdated Price(InstrumentKey instrument, long sequence) =>
        new(instrument.Exchange, instrument.Symbol, 100m + sequence, 0.5m, Minute.AddSeconds(sequence), sequence, 7);
}
