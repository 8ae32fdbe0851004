using System.ComponentModel.DataAnnotations;

namespace PriceActors.Silo.Membership;

/// <summary>Membership settings (cluster mode), bound from the <c>Membership</c> section.</summary>
public sealed class MembershipOptions : IValidatableObject
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Membership";

    /// <summary>How often this silo writes its heartbeat. Default 2 s; 50 ms to 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00.05", "00:01:00")]
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A silo whose last heartbeat is older than this is declared dead by any other. Default 10 s; 200 ms to 10 minutes; at least 3 heartbeats.</summary>
    [Range(typeof(TimeSpan), "00:00:00.2", "00:10:00")]
    public TimeSpan DeadAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Dead silos' rows are deleted after this long. Default 1 day; 1 minute to 30 days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan ForgetDeadAfter { get; set; } = TimeSpan.FromDays(1);

    /// <inheritdoc/>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DeadAfter < HeartbeatInterval * 3)
        {
            yield return new ValidationResult(
                $"DeadAfter ({DeadAfter}) must be at least three heartbeat intervals ({HeartbeatInterval * 3}), or one slow heartbeat kills a healthy silo.",
                [nameof(DeadAfter), nameof(HeartbeatInterval)]);
        }
    }
}
