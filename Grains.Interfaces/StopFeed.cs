using PriceActors.Runtime;

namespace PriceActors.Grains;

/// <summary>Stops the exchange's feed once its last batch is published. Replies with the feed's state.</summary>
public sealed record StopFeed : IRequest<FeedStatus>
{
    /// <summary>The one instance needed.</summary>
    public static readonly StopFeed Instance = new();
}
