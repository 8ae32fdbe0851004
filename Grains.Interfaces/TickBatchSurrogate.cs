namespace PriceActors.Grains;

/// <summary>
/// How a <see cref="TickBatch"/> crosses the wire and the stream queues: the instrument once and each field of the
/// ticks as one array, so a batch costs a handful of arrays instead of an object graph per tick.
/// </summary>
[GenerateSerializer]
[Alias("priceactors.TickBatch")]
internal struct TickBatchSurrogate
{
    [Id(0)] public string Instrument;
    [Id(1)] public decimal[] Prices;
    [Id(2)] public decimal[] Quantities;
    [Id(3)] public long[] TradeIds;
    [Id(4)] public long[] ExchangeTimes;
    [Id(5)] public long[] ReceiveTimes;
}
