namespace PriceActors.Grains;

/// <summary>
/// Trades of one instrument, in exchange order, as the tick stream carries them from a feed to the instrument's pair
/// grain. Every tick names <paramref name="Instrument"/>; serialized through <see cref="TickBatchSurrogate"/>.
/// </summary>
/// <param name="Instrument">The instrument every tick belongs to.</param>
/// <param name="Ticks">The trades; the buffer is not written after publishing.</param>
[Immutable]
public sealed record TickBatch(InstrumentKey Instrument, ReadOnlyMemory<Tick> Ticks);
