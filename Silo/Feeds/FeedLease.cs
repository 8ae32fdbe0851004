namespace PriceActors.Silo.Feeds;

/// <summary>One row of the <c>feed_leases</c> table, for health checks and dashboards.</summary>
/// <param name="Exchange">The exchange whose feed the lease is for.</param>
/// <param name="Owner">The silo that holds or last held it.</param>
/// <param name="Epoch">The lease's epoch.</param>
/// <param name="ExpiresAt">When it expires (or expired), by the database clock.</param>
/// <param name="Valid">True while it has not expired, by the database clock.</param>
public sealed record FeedLease(string Exchange, string Owner, long Epoch, DateTimeOffset ExpiresAt, bool Valid);
