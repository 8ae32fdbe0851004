namespace PriceActors.Gateway.Hosting;

/// <summary>How the system runs; the <c>PriceActors:Mode</c> setting.</summary>
public enum HostingMode
{
    /// <summary>One process: the gateway co-hosts an Orleans silo with memory streams, the in-memory store and synthetic feeds.</summary>
    Embedded,

    /// <summary>
    /// A stateless gateway of a cluster: an Orleans client with no grains, feeds or store of its own; it asks the
    /// silos' pair grains and subscribes to their update streams.
    /// </summary>
    Cluster,
}
