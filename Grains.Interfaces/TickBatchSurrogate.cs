namespace PriceActors.Grains;

/// <summary>
/// How a <see cref="TickBatch"/> crosses the wire and the stream queues: the instrument once, then the ticks in one
/// compact byte array (<see cref="TickBatchConverter"/>), 8–16 bytes a tick. The memory streams copy an event's bytes
/// several times on its way, so its size is what they spend.
/// </summary>
[GenerateSerializer]
[Alias("priceactors.TickBatch")]
internal struct TickBatchSurrogate
{
    [Id(0)] public string Instrument;
    [Id(1)] public byte[] Ticks;
}
