using System.ComponentModel.DataAnnotations;

namespace PriceActors.Silo.Cluster;

/// <summary>
/// Partition rebalancing (cluster mode), bound from the <c>Cluster:Balancing</c> section. The broker gives
/// every partition to the first silo that subscribed; each silo compares what it owns with the live silos
/// in the membership table and hands partitions it owns beyond its fair share (ceil(partitions / live
/// silos)) over to the next silo in the partition's line, then queues up again behind it.
/// </summary>
public sealed class PartitionBalancerOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Cluster:Balancing";

    /// <summary>Whether this silo hands partitions over to balance the cluster. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often this silo reads the membership table and decides. Default 1 s; 50 ms to 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00.05", "00:01:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The most partitions one round hands over. Default 2; 1 to 1024.</summary>
    [Range(1, 1024)]
    public int MaxReleasesPerRound { get; set; } = 2;

    /// <summary>
    /// How long after handing a partition over this silo subscribes to it again (at the back of its line, a
    /// standby for fail-over). Default 200 ms; 0 to 10 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:10")]
    public TimeSpan ResubscribeDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// A silo counts as live (a taker of partitions) only while its last heartbeat is younger than this
    /// (database clock), so a killed silo stops attracting hand-overs before it is declared dead. Default 5 s;
    /// 100 ms to 10 minutes; keep it above two <c>Membership:HeartbeatInterval</c>s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.1", "00:10:00")]
    public TimeSpan LiveWithin { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// When partitions do not divide evenly, a silo at the ceiling of its share hands one over (to make room
    /// for a silo below the floor) at most once per this period, so the membership table shows the effect of
    /// one hand-over before the next is decided. Default 5 s; 0 to 10 minutes; not below <see cref="Interval"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan CeilingReleaseCooldown { get; set; } = TimeSpan.FromSeconds(5);

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (CeilingReleaseCooldown < Interval)
        {
            yield return new ValidationResult(
                $"CeilingReleaseCooldown ({CeilingReleaseCooldown}) must be at least Interval ({Interval}).",
                [nameof(CeilingReleaseCooldown), nameof(Interval)]);
        }
    }
}
