namespace PriceActors.Gateway.Hosting;

/// <summary>How the system runs; the <c>PriceActors:Mode</c> setting.</summary>
public enum HostingMode
{
    /// <summary>One process: the gateway co-hosts the silo with the in-memory bus and store and synthetic feeds.</summary>
    Embedded,

    /// <summary>
    /// A stateless gateway of a cluster: no actors, feeds or store of its own; it asks the silos' actors
    /// over RabbitMQ (request/reply to the owning partition) and subscribes to their update stream.
    /// </summary>
    Cluster,
}
