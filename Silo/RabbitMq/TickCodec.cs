using PriceActors.Grains;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// Binary encoding of a tick message: many ticks of one partition, grouped in runs of one instrument
/// whose key is written once per run. Layout (little-endian): <c>'T'</c>, version 1, run count (int32);
/// per run: exchange and symbol (length byte + ASCII), tick count (int32), then per tick price and
/// quantity (the four <see cref="decimal.GetBits(decimal)"/> words, exact), trade id (int64),
/// exchange and receive time (UTC ticks, int64). About 56 bytes a tick. A message with no runs carries
/// nothing: it is an ownership probe (<see cref="Probe"/>).
/// </summary>
public static class TickCodec
{
    private const byte Magic = (byte)'T';
    private const byte Version = 1;
    private const int TickSize = (2 * BodyWriter.DecimalSize) + (3 * 8);

    /// <summary>
    /// An ownership probe: a valid tick message with no runs (6 bytes). Its only effect is a delivery, which
    /// tells a partition's active consumer that it is active; it is acknowledged in its turn like any message.
    /// Published tick messages always carry ticks, so a message that decodes to no batch is a probe.
    /// </summary>
    public static ReadOnlyMemory<byte> Probe { get; } = Encode([]);

    /// <summary>Encodes <paramref name="runs"/> in order; adjacent runs of the same instrument share one header, empty ones are left out.</summary>
    /// <param name="runs">Ticks to encode, each batch of one instrument.</param>
    public static byte[] Encode(IReadOnlyList<TickBatch> runs)
    {
        var size = 6;
        var runCount = 0;
        for (var i = 0; i < runs.Count; i++)
        {
            if (StartsRun(runs, i))
            {
                runCount++;
                size += BodyWriter.SizeOf(runs[i].Instrument.Exchange) + BodyWriter.SizeOf(runs[i].Instrument.Symbol) + 4;
            }

            size += runs[i].Ticks.Length * TickSize;
        }

        var body = new byte[size];
        var writer = new BodyWriter(body);
        writer.WriteByte(Magic);
        writer.WriteByte(Version);
        writer.WriteInt32(runCount);
        for (var i = 0; i < runs.Count; i++)
        {
            if (!StartsRun(runs, i))
            {
                continue;
            }

            writer.WriteShortString(runs[i].Instrument.Exchange);
            writer.WriteShortString(runs[i].Instrument.Symbol);
            var count = 0;
            for (var j = i; j < runs.Count && (j == i || !StartsRun(runs, j)); j++)
            {
                count += runs[j].Ticks.Length;
            }

            writer.WriteInt32(count);
            for (var j = i; j < runs.Count && (j == i || !StartsRun(runs, j)); j++)
            {
                foreach (var tick in runs[j].Ticks.Span)
                {
                    writer.WriteDecimal(tick.Price);
                    writer.WriteDecimal(tick.Quantity);
                    writer.WriteInt64(tick.TradeId);
                    writer.WriteTime(tick.ExchangeTime);
                    writer.WriteTime(tick.ReceiveTime);
                }
            }
        }

        return body;
    }

    /// <summary>Decodes a message into one batch per run, in order.</summary>
    /// <param name="body">The message body.</param>
    /// <exception cref="FormatException">The body is not a valid tick message; the text says where and why.</exception>
    public static IReadOnlyList<TickBatch> Decode(ReadOnlySpan<byte> body)
    {
        var reader = new BodyReader(body, "tick");
        if (reader.ReadByte() != Magic)
        {
            throw reader.Malformed("not a tick message (wrong first byte)");
        }

        if (reader.ReadByte() is var version && version != Version)
        {
            throw reader.Malformed($"unsupported version {version}");
        }

        var runCount = reader.ReadCount(4 + 4 + TickSize, "run");
        var batches = new TickBatch[runCount];
        for (var r = 0; r < runCount; r++)
        {
            var instrument = reader.ReadInstrument();
            var count = reader.ReadCount(TickSize, "tick");
            if (count == 0)
            {
                throw reader.Malformed("empty run");
            }

            var ticks = new Tick[count];
            for (var t = 0; t < count; t++)
            {
                ticks[t] = new Tick(instrument, reader.ReadDecimal(), reader.ReadDecimal(), reader.ReadInt64(), reader.ReadTime(), reader.ReadTime());
            }

            batches[r] = new TickBatch(instrument, ticks);
        }

        reader.ExpectEnd();
        return batches;
    }

    // A run starts at every non-empty batch whose instrument differs from the previous non-empty one.
    private static bool StartsRun(IReadOnlyList<TickBatch> runs, int index)
    {
        if (runs[index].Ticks.IsEmpty)
        {
            return false;
        }

        for (var i = index - 1; i >= 0; i--)
        {
            if (!runs[i].Ticks.IsEmpty)
            {
                return runs[i].Instrument != runs[index].Instrument;
            }
        }

        return true;
    }
}
