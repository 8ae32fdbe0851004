using PriceActors.Runtime;

namespace PriceActors.Grains;

/// <summary>
/// Adds a batch of trades of one instrument, in exchange order. Ticks already seen (trade id not
/// above the last accepted one) are counted as duplicates and ignored, so redelivery is harmless.
/// </summary>
/// <param name="Ticks">The trades; the actor does not keep a reference to the buffer after the reply.</param>
public sealed record RecordTicks(ReadOnlyMemory<Tick> Ticks) : IRequest<TicksRecorded>;
