namespace PriceActors.Silo.Feeds;

/// <summary>A silo's feed election as of its last round, for health checks and dashboards.</summary>
/// <param name="SiloId">This silo's id.</param>
/// <param name="Rounds">Rounds completed since start.</param>
/// <param name="LeaseTableReachable">True when every attempt of the last round reached the lease table.</param>
/// <param name="LastContactAt">When an attempt last reached the lease table (local clock); null if never.</param>
/// <param name="LastError">The last attempt's error while the table is unreachable; otherwise null.</param>
/// <param name="Feeds">One entry per configured exchange.</param>
public sealed record FeedElectionView(
    string SiloId,
    long Rounds,
    bool LeaseTableReachable,
    DateTimeOffset? LastContactAt,
    string? LastError,
    IReadOnlyList<FeedLeaseView> Feeds);
