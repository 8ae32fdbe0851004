namespace PriceActors.Silo.Membership;

/// <summary>Where a silo is in its life, as the membership table records it.</summary>
public enum SiloStatus
{
    /// <summary>Registered, first heartbeat not yet written.</summary>
    Joining,

    /// <summary>Heartbeating.</summary>
    Active,

    /// <summary>Stopping gracefully: handing its partitions and feeds over.</summary>
    ShuttingDown,

    /// <summary>Stopped, or declared dead because its heartbeats stopped.</summary>
    Dead,
}
