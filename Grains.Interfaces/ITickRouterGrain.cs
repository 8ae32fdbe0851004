namespace PriceActors.Grains;

/// <summary>
/// The consumer of one tick stream, keyed by the stream's key (<c>{exchange}/{shard}</c>): takes each
/// <see cref="TickRound"/> in order and hands every batch to its instrument's <see cref="IPairGrain"/>; a round counts
/// as delivered once every pair has stored its trades. It has no calls of its own: the stream activates it.
/// </summary>
[Alias("priceactors.ITickRouterGrain")]
public interface ITickRouterGrain : IGrainWithStringKey;
