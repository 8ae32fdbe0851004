using PriceActors.Runtime;

namespace PriceActors.Grains;

/// <summary>Asks an exchange feed for its state.</summary>
public sealed record GetFeedStatus : IRequest<FeedStatus>
{
    /// <summary>The one instance needed.</summary>
    public static readonly GetFeedStatus Instance = new();
}
