using PriceActors.Grains;
using PriceActors.Grains.Wire;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// Binary encoding of an update message: several instruments' price updates and closed bars of one flush,
/// each instrument's in publish order. Layout (little-endian): <c>'U'</c>, version 3, the time the silo sent it
/// (UTC ticks), section count (int32); per section the exchange and symbol (length byte + ASCII), item count
/// (int32), and per item a kind byte (1 <see cref="PriceUpdated"/>, 2 <see cref="MinuteBarClosed"/>) and its
/// fields, decimals as their four exact words, times as UTC ticks. Versions 2 (no send time) and 1 (one
/// instrument, no send time, no section count), what earlier silos published, are still decoded. Silos and
/// gateways of version 3 meet on a new exchange (<see cref="RabbitMqNames.UpdateExchange"/>), so a cluster
/// upgrades them together.
/// </summary>
public static class UpdateCodec
{
    private const byte Magic = (byte)'U';
    private const byte SingleVersion = 1;
    private const byte UntimedVersion = 2;
    private const byte Version = 3;
    private const byte PriceKind = 1;
    private const byte BarKind = 2;
    private const int PriceSize = 1 + (2 * BodyWriter.DecimalSize) + (3 * 8);
    private const int BarSize = 1 + 8 + (7 * BodyWriter.DecimalSize) + 8 + 8 + 1 + 8;

    // The smallest section: two one-letter names and an item count.
    private const int MinSectionSize = 2 + 2 + 4;

    /// <summary>Encodes one instrument's updates, each a <see cref="PriceUpdated"/> or a <see cref="MinuteBarClosed"/>.</summary>
    /// <param name="instrument">The instrument every update belongs to.</param>
    /// <param name="updates">The updates in order.</param>
    /// <param name="sentAt">When the message leaves the silo.</param>
    public static byte[] Encode(InstrumentKey instrument, IReadOnlyList<object> updates, DateTimeOffset sentAt) => Encode([new UpdateSection(instrument, updates)], sentAt);

    /// <summary>Encodes several instruments' updates in one message.</summary>
    /// <param name="sections">Each instrument's updates in order; an instrument appears once.</param>
    /// <param name="sentAt">When the message leaves the silo (a subscriber measures the transit with it).</param>
    public static byte[] Encode(IReadOnlyList<UpdateSection> sections, DateTimeOffset sentAt)
    {
        var size = 2 + 8 + 4 + sections.Sum(s => BodyWriter.SizeOf(s.Instrument.Exchange) + BodyWriter.SizeOf(s.Instrument.Symbol) + 4
            + s.Updates.Sum(u => u is PriceUpdated ? PriceSize : BarSize));
        var body = new byte[size];
        var writer = new BodyWriter(body);
        writer.WriteByte(Magic);
        writer.WriteByte(Version);
        writer.WriteTime(sentAt);
        writer.WriteInt32(sections.Count);
        foreach (var section in sections)
        {
            writer.WriteShortString(section.Instrument.Exchange);
            writer.WriteShortString(section.Instrument.Symbol);
            writer.WriteInt32(section.Updates.Count);
            foreach (var update in section.Updates)
            {
                WriteItem(ref writer, update);
            }
        }

        return body;
    }

    /// <summary>Decodes an update message (version 3; version 2 without a send time; version 1 as one section).</summary>
    /// <param name="body">The message body.</param>
    /// <exception cref="FormatException">The body is not a valid update message; the text says where and why.</exception>
    public static UpdateMessage Decode(ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body, "update");
        if (reader.ReadByte() != Magic)
        {
            throw reader.Malformed("not an update message");
        }

        var version = reader.ReadByte();
        if (version is not (SingleVersion or UntimedVersion or Version))
        {
            throw reader.Malformed($"update message version {version}, not 1, 2 or 3");
        }

        DateTimeOffset? sentAt = version == Version ? reader.ReadTime() : null;
        var sections = new UpdateSection[version == SingleVersion ? 1 : reader.ReadCount(MinSectionSize, "section")];
        for (var s = 0; s < sections.Length; s++)
        {
            var instrument = reader.ReadInstrument();
            var updates = new object[reader.ReadCount(PriceSize, "update")];
            for (var i = 0; i < updates.Length; i++)
            {
                updates[i] = reader.ReadByte() switch
                {
                    PriceKind => new PriceUpdated(instrument.Exchange, instrument.Symbol, reader.ReadDecimal(), reader.ReadDecimal(), reader.ReadTime(), reader.ReadInt64(), reader.ReadInt64()),
                    BarKind => ReadBar(ref reader, instrument),
                    var kind => throw reader.Malformed($"unknown update kind {kind}"),
                };
            }

            sections[s] = new UpdateSection(instrument, updates);
        }

        reader.ExpectEnd();
        return new UpdateMessage(sentAt, sections);
    }

    private static void WriteItem(ref BodyWriter writer, object update)
    {
        switch (update)
        {
            case PriceUpdated price:
                writer.WriteByte(PriceKind);
                writer.WriteDecimal(price.Price);
                writer.WriteDecimal(price.Quantity);
                writer.WriteTime(price.Timestamp);
                writer.WriteInt64(price.Sequence);
                writer.WriteInt64(price.Epoch);
                break;
            case MinuteBarClosed { Bar: var bar } closed:
                writer.WriteByte(BarKind);
                writer.WriteTime(bar.Minute);
                writer.WriteDecimal(bar.Open);
                writer.WriteDecimal(bar.High);
                writer.WriteDecimal(bar.Low);
                writer.WriteDecimal(bar.Close);
                writer.WriteDecimal(bar.Average);
                writer.WriteDecimal(bar.Vwap);
                writer.WriteInt64(bar.Count);
                writer.WriteDecimal(bar.Volume);
                writer.WriteInt64(bar.LastSequence);
                writer.WriteByte(bar.Closed ? (byte)1 : (byte)0);
                writer.WriteInt64(closed.Epoch);
                break;
            default:
                throw new ArgumentException($"Cannot encode a {update.GetType().Name} as an update.", nameof(update));
        }
    }

    private static MinuteBarClosed ReadBar(ref BodyReader reader, InstrumentKey instrument)
    {
        var bar = new MinuteBar(
            instrument.Exchange,
            instrument.Symbol,
            reader.ReadTime(),
            reader.ReadDecimal(),
            reader.ReadDecimal(),
            reader.ReadDecimal(),
            reader.ReadDecimal(),
            reader.ReadDecimal(),
            reader.ReadDecimal(),
            reader.ReadInt64(),
            reader.ReadDecimal(),
            reader.ReadInt64(),
            reader.ReadByte() != 0);
        return new MinuteBarClosed(bar, reader.ReadInt64());
    }
}
