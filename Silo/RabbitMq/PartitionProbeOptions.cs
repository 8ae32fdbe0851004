using System.ComponentModel.DataAnnotations;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// Ownership probes (cluster mode), bound from the <c>Cluster:Probes</c> section. The broker never tells a
/// consumer it became a partition's active one; its first delivery is the only sign. So every silo puts a
/// small probe into each partition's queue every <see cref="Interval"/>, and the active consumer of an idle
/// partition learns within about one interval that it owns it (it claims the fence and answers requests).
/// </summary>
public sealed class PartitionProbeOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Cluster:Probes";

    /// <summary>Whether this silo publishes probes. Default true; without them an idle partition has no acknowledged owner.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How often this silo probes each partition it is not the known owner of; also each probe's time to live
    /// in the queue, so probes never pile up. Default 2 s; 100 ms to 1 minute. Bounds how long an idle
    /// partition stays without an acknowledged owner after a fail-over or hand-over.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:01:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(2);
}
