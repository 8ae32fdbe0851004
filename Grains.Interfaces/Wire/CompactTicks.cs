namespace PriceActors.Grains.Wire;

/// <summary>
/// The compact encoding of one instrument's ticks, shared by the tick batch surrogate and the bus's tick messages: per
/// tick price and quantity as compact decimals, the trade id and the exchange time (UTC ticks) as zigzag varints of
/// their difference from the previous tick's (the first from 0), and the receive time as a zigzag varint of its
/// difference from the exchange time. 8–16 bytes a tick for usual prices.
/// </summary>
internal static class CompactTicks
{
    /// <summary>Writes <paramref name="ticks"/>, continuing the differences from <paramref name="tradeId"/> and <paramref name="exchangeTime"/>.</summary>
    public static void Write(ref BodyWriter writer, ReadOnlySpan<Tick> ticks, ref long tradeId, ref long exchangeTime)
    {
        foreach (ref readonly var tick in ticks)
        {
            writer.WriteCompactDecimal(tick.Price);
            writer.WriteCompactDecimal(tick.Quantity);
            writer.WriteZigZag(unchecked(tick.TradeId - tradeId));
            writer.WriteZigZag(unchecked(tick.ExchangeTime.UtcTicks - exchangeTime));
            writer.WriteZigZag(unchecked(tick.ReceiveTime.UtcTicks - tick.ExchangeTime.UtcTicks));
            (tradeId, exchangeTime) = (tick.TradeId, tick.ExchangeTime.UtcTicks);
        }
    }

    /// <summary>Reads <paramref name="count"/> ticks of <paramref name="instrument"/> written from differences of 0; times in UTC.</summary>
    public static Tick[] Read(ref BodyReader reader, InstrumentKey instrument, int count)
    {
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

        return ticks;
    }
}
