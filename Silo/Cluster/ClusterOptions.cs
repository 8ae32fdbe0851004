namespace PriceActors.Silo.Cluster;

/// <summary>Settings of a cluster silo process, bound from the <c>Cluster</c> section.</summary>
public sealed class ClusterOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Cluster";

    /// <summary>
    /// Whether this silo takes part in the feed election and may run exchange feeds. Default true;
    /// false for silos that only own partitions (and in tests that publish ticks themselves).
    /// </summary>
    public bool RunFeeds { get; set; } = true;
}
