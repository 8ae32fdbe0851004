using System.Buffers;
using PriceActors.Grains.Wire;

namespace PriceActors.Grains;

/// <summary>
/// Converts a <see cref="TickBatch"/> to and from <see cref="TickBatchSurrogate"/>. The ticks' bytes are their count as
/// a varint, then the ticks in <see cref="CompactTicks"/>. Times come back in UTC.
/// </summary>
[RegisterConverter]
internal sealed class TickBatchConverter : IConverter<TickBatch, TickBatchSurrogate>
{
    public TickBatch ConvertFromSurrogate(in TickBatchSurrogate surrogate)
    {
        var instrument = InstrumentKey.Parse(surrogate.Instrument);
        var reader = new BodyReader(surrogate.Ticks, "tick batch");
        var count = reader.ReadVarint();
        if (count > (ulong)surrogate.Ticks.Length)
        {
            throw reader.Malformed($"{count} ticks cannot fit in {surrogate.Ticks.Length} bytes");
        }

        var ticks = CompactTicks.Read(ref reader, instrument, (int)count);
        reader.ExpectEnd();
        return new TickBatch(instrument, ticks);
    }

    public TickBatchSurrogate ConvertToSurrogate(in TickBatch value)
    {
        var ticks = value.Ticks.Span;
        var buffer = ArrayPool<byte>.Shared.Rent(10 + (ticks.Length * BodyWriter.MaxCompactTickSize));
        try
        {
            return new TickBatchSurrogate { Instrument = value.Instrument.Value, Ticks = Encode(value, buffer) };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static byte[] Encode(in TickBatch value, byte[] buffer)
    {
        var ticks = value.Ticks.Span;
        var writer = new BodyWriter(buffer);
        writer.WriteVarint((ulong)ticks.Length);
        foreach (ref readonly var tick in ticks)
        {
            if (tick.Instrument != value.Instrument)
            {
                throw new ArgumentException($"A batch of {value.Instrument} holds a tick of {tick.Instrument}; a batch carries one instrument.", nameof(value));
            }
        }

        long tradeId = 0, exchangeTime = 0;
        CompactTicks.Write(ref writer, ticks, ref tradeId, ref exchangeTime);
        return buffer.AsSpan(0, writer.Position).ToArray();
    }
}
