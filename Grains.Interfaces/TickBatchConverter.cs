namespace PriceActors.Grains;

/// <summary>Converts a <see cref="TickBatch"/> to and from <see cref="TickBatchSurrogate"/>; times travel as UTC ticks.</summary>
[RegisterConverter]
internal sealed class TickBatchConverter : IConverter<TickBatch, TickBatchSurrogate>
{
    public TickBatch ConvertFromSurrogate(in TickBatchSurrogate surrogate)
    {
        var instrument = InstrumentKey.Parse(surrogate.Instrument);
        var ticks = new Tick[surrogate.Prices.Length];
        for (var i = 0; i < ticks.Length; i++)
        {
            ticks[i] = new Tick(
                instrument,
                surrogate.Prices[i],
                surrogate.Quantities[i],
                surrogate.TradeIds[i],
                new DateTimeOffset(surrogate.ExchangeTimes[i], TimeSpan.Zero),
                new DateTimeOffset(surrogate.ReceiveTimes[i], TimeSpan.Zero));
        }

        return new TickBatch(instrument, ticks);
    }

    public TickBatchSurrogate ConvertToSurrogate(in TickBatch value)
    {
        var ticks = value.Ticks.Span;
        foreach (ref readonly var tick in ticks)
        {
            if (tick.Instrument != value.Instrument)
            {
                throw new ArgumentException($"A batch of {value.Instrument} holds a tick of {tick.Instrument}; a batch carries one instrument.", nameof(value));
            }
        }

        var surrogate = new TickBatchSurrogate
        {
            Instrument = value.Instrument.Value,
            Prices = new decimal[ticks.Length],
            Quantities = new decimal[ticks.Length],
            TradeIds = new long[ticks.Length],
            ExchangeTimes = new long[ticks.Length],
            ReceiveTimes = new long[ticks.Length],
        };
        for (var i = 0; i < ticks.Length; i++)
        {
            surrogate.Prices[i] = ticks[i].Price;
            surrogate.Quantities[i] = ticks[i].Quantity;
            surrogate.TradeIds[i] = ticks[i].TradeId;
            surrogate.ExchangeTimes[i] = ticks[i].ExchangeTime.UtcTicks;
            surrogate.ReceiveTimes[i] = ticks[i].ReceiveTime.UtcTicks;
        }

        return surrogate;
    }
}
