namespace PriceActors.Grains;

/// <summary>
/// One round of a feed's trades for the instruments of one tick stream (<see cref="StreamNames.TicksOf(string, int)"/>):
/// at most one batch per instrument, each in exchange order. The stream's <see cref="ITickRouterGrain"/> hands each
/// batch to its pair grain.
/// </summary>
/// <param name="Batches">The batches, one instrument each.</param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.TickRound")]
public sealed record TickRound([property: Id(0)] TickBatch[] Batches);
