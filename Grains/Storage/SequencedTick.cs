namespace PriceActors.Grains.Storage;

/// <summary>A trade and the sequence number its instrument gave it.</summary>
/// <param name="Sequence">The instrument's sequence number of this trade.</param>
/// <param name="Tick">The trade.</param>
public readonly record struct SequencedTick(long Sequence, Tick Tick);
