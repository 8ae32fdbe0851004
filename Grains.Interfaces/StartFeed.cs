using PriceActors.Runtime;

namespace PriceActors.Grains;

/// <summary>Starts the exchange's feed with its configured source; does nothing if it is running. Replies with the feed's state.</summary>
public sealed record StartFeed : IRequest<FeedStatus>
{
    /// <summary>The one instance needed.</summary>
    public static readonly StartFeed Instance = new();
}
