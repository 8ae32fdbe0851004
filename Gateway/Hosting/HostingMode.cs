namespace PriceActors.Gateway.Hosting;

/// <summary>How the system runs. Cluster mode (RabbitMQ + PostgreSQL) arrives with the cluster work.</summary>
public enum HostingMode
{
    /// <summary>One process: the gateway co-hosts the silo with the in-memory bus and store and synthetic feeds.</summary>
    Embedded,
}
