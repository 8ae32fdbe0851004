using System.Buffers;
using PriceActors.Grains;
using PriceActors.Grains.Wire;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// Binary encoding of a tick message: many ticks of one partition, grouped in runs of one instrument
/// whose key is written once per run. Layout (little-endian): <c>'T'</c>, version, run count (int32);
/// per run: exchange and symbol (length byte + ASCII), tick count (int32), then the ticks.
/// <list type="bullet">
/// <item>Version 2 (written): per tick price and quantity as compact decimals (a byte with sign and scale, then
/// the mantissa as a varint, or its 12 bytes when it needs more than 64 bits: exact, as <see cref="decimal.GetBits(decimal)"/>),
/// the trade id as a zigzag varint of its difference from the run's previous one (the first from 0), the exchange
/// time (UTC ticks) likewise, and the receive time as a zigzag varint of its difference from the exchange time.
/// 8–16 bytes a tick instead of 56: the broker writes every message to its log and flushes it, and the bytes it
/// writes are what its flushes wait for when the disk is busy (bench/README.md).</item>
/// <item>Version 1 (still read, so a silo can consume what an older one published): per tick the four
/// <see cref="decimal.GetBits(decimal)"/> words of price and quantity, trade id (int64), exchange and receive time
/// (UTC ticks, int64).</item>
/// </list>
/// A message with no runs carries nothing: it is an ownership probe (<see cref="Probe"/>).
/// </summary>
public static class TickCodec
{
    private const byte Magic = (byte)'T';
    private const byte Version = 2;
    private const byte FixedVersion = 1;
    private const int FixedTickSize = (2 * BodyWriter.DecimalSize) + (3 * 8);

    // Version 2's smallest tick: two one-byte decimals with one-byte mantissas, three one-byte varints.
    private const int MinCompactTickSize = 7;

    /// <summary>
    /// An ownership probe: a valid tick message with no runs (6 bytes). Its only effect is a delivery, which
    /// tells a partition's active consumer that it is active; it is acknowledged in its turn like any message.
    /// Published tick messages always carry ticks, so a message that decodes to no batch is a probe.
    /// </summary>
    public static ReadOnlyMemory<byte> Probe { get; } = Encode([]);

    private static ReadOnlyMemory<byte> FixedProbe { get; } = Encode([], FixedVersion);

    /// <summary>The ownership probe in <paramref name="version"/> (<see cref="RabbitMqOptions.TickMessageVersion"/>).</summary>
    public static ReadOnlyMemory<byte> ProbeIn(int version) => version == FixedVersion ? FixedProbe : Probe;

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

        var version = reader.ReadByte();
        if (version is not (Version or FixedVersion))
        {
            throw reader.Malformed($"unsupported version {version}");
        }

        var tickSize = version == Version ? MinCompactTickSize : FixedTickSize;
        var runCount = reader.ReadCount(4 + 4 + tickSize, "run");
        var batches = new TickBatch[runCount];
        for (var r = 0; r < runCount; r++)
        {
            var instrument = reader.ReadInstrument();
            var count = reader.ReadCount(tickSize, "tick");
            if (count == 0)
            {
                throw reader.Malformed("empty run");
            }

            Tick[] ticks;
            if (version == Version)
            {
                ticks = CompactTicks.Read(ref reader, instrument, count);
            }
            else
            {
                ticks = new Tick[count];
                for (var t = 0; t < count; t++)
                {
                    ticks[t] = new Tick(instrument, reader.ReadDecimal(), reader.ReadDecimal(), reader.ReadInt64(), reader.ReadTime(), reader.ReadTime());
                }
            }

            batches[r] = new TickBatch(instrument, ticks);
        }

        reader.ExpectEnd();
        return batches;
    }

    /// <summary>
    /// Encodes <paramref name="runs"/> in order, in version 2 unless <paramref name="version"/> is 1; adjacent runs of the
    /// same instrument share one header, empty ones are left out.
    /// </summary>
    /// <param name="runs">Ticks to encode, each batch of one instrument.</param>
    /// <param name="version">2 or 1 (<see cref="RabbitMqOptions.TickMessageVersion"/>).</param>
    public static byte[] Encode(IReadOnlyList<TickBatch> runs, int version = Version)
    {
        if (version is not (Version or FixedVersion))
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, "Tick messages have versions 1 and 2.");
        }

        // An upper bound for version 2: the body is cut to what was written.
        var size = 6;
        var runCount = 0;
        for (var i = 0; i < runs.Count; i++)
        {
            if (StartsRun(runs, i))
            {
                runCount++;
                size += BodyWriter.SizeOf(runs[i].Instrument.Exchange) + BodyWriter.SizeOf(runs[i].Instrument.Symbol) + 4;
            }

            size += runs[i].Ticks.Length * (version == Version ? BodyWriter.MaxCompactTickSize : FixedTickSize);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(size);
        try
        {
            var writer = new BodyWriter(buffer);
            writer.WriteByte(Magic);
            writer.WriteByte((byte)version);
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
                long tradeId = 0, exchangeTime = 0;
                for (var j = i; j < runs.Count && (j == i || !StartsRun(runs, j)); j++)
                {
                    if (version == Version)
                    {
                        CompactTicks.Write(ref writer, runs[j].Ticks.Span, ref tradeId, ref exchangeTime);
                        continue;
                    }

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

            return buffer.AsSpan(0, writer.Position).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
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
