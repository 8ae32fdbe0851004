namespace PriceActors.Silo.Membership;

/// <summary>One row of the membership table.</summary>
/// <param name="SiloId">The silo's id.</param>
/// <param name="Host">Its machine.</param>
/// <param name="ProcessId">Its process id.</param>
/// <param name="StartedAt">When it started.</param>
/// <param name="HeartbeatAt">Its last heartbeat (database clock).</param>
/// <param name="Status">Its status.</param>
/// <param name="Partitions">The tick partitions it owned at its last heartbeat.</param>
public sealed record SiloRecord(
    string SiloId,
    string Host,
    int? ProcessId,
    DateTimeOffset StartedAt,
    DateTimeOffset HeartbeatAt,
    SiloStatus Status,
    IReadOnlyList<int> Partitions);
