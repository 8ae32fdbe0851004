using PriceActors.Grains;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// Binary encoding of an update message: one instrument's price updates and closed bars of one flush,
/// in publish order. Layout (little-endian): <c>'U'</c>, version 1, exchange and symbol (length byte +
/// ASCII), item count (int32); per item a kind byte (1 <see cref="PriceUpdated"/>, 2
/// <see cref="MinuteBarClosed"/>) and its fields, decimals as their four exact words, times as UTC ticks.
/// </summary>
public static class UpdateCodec
{
    private const byte Magic = (byte)'U';
    private const byte Version = 1;
    private const byte PriceKind = 1;
    private const byte BarKind = 2;
    private const int PriceSize = 1 + (2 * BodyWriter.DecimalSize) + (3 * 8);
    private const int BarSize = 1 + 8 + (7 * BodyWriter.DecimalSize) + 8 + 8 + 1 + 8;

    /// <summary>Encodes an instrument's updates, each a <see cref="PriceUpdated"/> or a <see cref="MinuteBarClosed"/>.</summary>
    /// <param name="instrument">The instrument every update belongs to.</param>
    /// <param name="updates">The updates in order.</param>
    public static byte[] Encode(InstrumentKey instrument, IReadOnlyList<object> updates)
    {
        var size = 2 + BodyWriter.SizeOf(instrument.Exchange) + BodyWriter.SizeOf(instrument.Symbol) + 4
            + updates.Sum(u => u is PriceUpdated ? PriceSize : BarSize);
        var body = new byte[size];
        var writer = new BodyWriter(body);
        writer.WriteByte(Magic);
        writer.WriteByte(Version);
        writer.WriteShortString(instrument.Exchange);
        writer.WriteShortString(instrument.Symbol);
        writer.WriteInt32(updates.Count);
        foreach (var update in updates)
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
                    throw new ArgumentException($"Cannot encode a {update.GetType().Name} as an update.", nameof(updates));
            }
        }

        return body;
    }

    /// <summary>Decodes an update message.</summary>
    /// <param name="body">The message body.</param>
    /// <exception cref="FormatException">The body is not a valid update message; the text says where and why.</exception>
    public static (InstrumentKey Instrument, IReadOnlyList<object> Updates) Decode(ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body, "update");
        if (reader.ReadByte() != Magic || reader.ReadByte() != Version)
        {
            throw reader.Malformed("not an update message of version 1");
        }

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

        reader.ExpectEnd();
        return (instrument, updates);
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
