namespace PriceActors.Gateway.Streaming;

/// <summary>Where a subscriber's stream of one instrument stands: the epoch and the sequence of the last update it received.</summary>
/// <param name="Epoch">The epoch of the last update.</param>
/// <param name="Sequence">The sequence of the last update.</param>
public readonly record struct StreamPosition(long Epoch, long Sequence);
