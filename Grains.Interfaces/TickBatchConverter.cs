using System.Buffers;
using PriceActors.Grains.Wire;

namespace PriceActors.Grains;

/// <summary>
/// Converts a <see cref="TickBatch"/> to and from <see cref="TickBatchSurrogate"/>. The ticks' bytes are their count as
/// a varint, then per tick: price and quantity as compact decimals (exact, scale kept), the trade id and the exchange time
/// (UTC ticks) as zigzag varints of their difference from the previous tick's (the first from 0), and the receive time as
/// a zigzag varint of its difference from the exchange time. Times come back in UTC.
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

        var ticks = new Tick[count];
        long tradeId = 0, exchangeTime = 0;
        for (var i = 0; i < ticks.Length; i++)
        {
            var price = reader.ReadCompactDecimal();
            var quantity = reader.ReadCompactDecimal();
            tradeId = unchecked(tradeId + reader.ReadZigZag());
            exchangeTime = unchecked(exchangeTime + reader.ReadZigZag());
            var receiveTime = unchecked(exchangeTime + reader.ReadZigZag());
            ticks[i] = new Tick(instrument, price, quantity, tradeId, reader.Time(exchangeTime), reader.Time(receiveTime));
        }

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
        long tradeId = 0, exchangeTime = 0;
        foreach (ref readonly var tick in ticks)
        {
            if (tick.Instrument != value.Instrument)
            {
                throw new ArgumentException($"A batch of {value.Instrument} holds a tick of {tick.Instrument}; a batch carries one instrument.", nameof(value));
            }

            writer.WriteCompactDecimal(tick.Price);
            writer.WriteCompactDecimal(tick.Quantity);
            writer.WriteZigZag(unchecked(tick.TradeId - tradeId));
            writer.WriteZigZag(unchecked(tick.ExchangeTime.UtcTicks - exchangeTime));
            writer.WriteZigZag(unchecked(tick.ReceiveTime.UtcTicks - tick.ExchangeTime.UtcTicks));
            (tradeId, exchangeTime) = (tick.TradeId, tick.ExchangeTime.UtcTicks);
        }

        return buffer.AsSpan(0, writer.Position).ToArray();
    }
}
