using PriceActors.Runtime;

namespace PriceActors.Grains;

/// <summary>
/// One actor per exchange, keyed by the exchange name: runs that exchange's feed (synthetic now,
/// live later), normalizes trades to <see cref="Tick"/>s and publishes them, batched, to the tick stream.
/// </summary>
[ActorType("feed")]
public interface IExchangeFeedActor : IActor,
    IHandle<StartFeed, FeedStatus>,
    IHandle<StopFeed, FeedStatus>,
    IHandle<GetFeedStatus, FeedStatus>;
