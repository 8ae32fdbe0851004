namespace PriceActors.Grains;

/// <summary>
/// One round of a feed's trades for the instruments of one tick stream (<see cref="StreamNames.TicksOf(string, int)"/>):
/// at most one batch per instrument, each in exchange order. The stream's <see cref="ITickRouterGrain"/> hands each
/// batch to its pair grain.
/// </summary>
/// <param name="Batches">The batches, one instrument each.</param>
/// <param name="Epoch">
/// The feed mode's epoch the trades belong to (<see cref="IFeedModeGrain"/>): a pair in an older epoch starts this one,
/// and trades of an older epoch than the pair's are refused, so test and live trades never mix. 0: no mode (tools, tests).
/// </param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.TickRound")]
public sealed record TickRound([property: Id(0)] TickBatch[] Batches, [property: Id(1)] long Epoch = 0);
