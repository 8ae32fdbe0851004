namespace PriceActors.Grains.Feeds;

/// <summary>The embedded system's permit: one process runs every feed, so it may always publish.</summary>
public sealed class AlwaysPermitted : IFeedPermit
{
    /// <summary>The one instance.</summary>
    public static readonly AlwaysPermitted Instance = new();

    private AlwaysPermitted()
    {
    }

    /// <inheritdoc/>
    public bool MayPublish(string exchange) => true;
}
