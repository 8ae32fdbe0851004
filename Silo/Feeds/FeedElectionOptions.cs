using System.ComponentModel.DataAnnotations;

namespace PriceActors.Silo.Feeds;

/// <summary>
/// Feed election (cluster mode), bound from the <c>Feeds:Election</c> section: each exchange feed runs
/// on the one silo holding its lease in the <c>feed_leases</c> table.
/// </summary>
public sealed class FeedElectionOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Feeds:Election";

    /// <summary>
    /// How long a lease lasts after its last renewal (database clock). Failover after a crash takes up to
    /// this plus one <see cref="RenewInterval"/>. Default 10 s; 500 ms to 5 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.5", "00:05:00")]
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often a silo renews its leases and tries to acquire free ones; also how long one attempt may take.
    /// Default 3 s; 50 ms to 1 minute; less than half of <see cref="LeaseDuration"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.05", "00:01:00")]
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// When the holder stops its feed after renewals failed: <see cref="LeaseDuration"/> less one
    /// <see cref="RenewInterval"/> after it sent its last successful renewal, so the stop has one
    /// interval to finish before any other silo can take the lease.
    /// </summary>
    public TimeSpan StopAfterRenewalSent => LeaseDuration - RenewInterval;

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        // Below half, one failed renewal is never enough to stop a feed: the next attempt still comes
        // before StopAfterRenewalSent. At or above it, a single database hiccup would stop every feed.
        if (RenewInterval * 2 >= LeaseDuration)
        {
            yield return new ValidationResult(
                $"RenewInterval ({RenewInterval}) must be less than half of LeaseDuration ({LeaseDuration}), so a lease survives one failed renewal.",
                [nameof(RenewInterval), nameof(LeaseDuration)]);
        }
    }
}
