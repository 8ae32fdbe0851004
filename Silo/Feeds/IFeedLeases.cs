namespace PriceActors.Silo.Feeds;

/// <summary>
/// Time-limited leases that elect one silo per exchange feed. Expiry is judged by one clock shared by
/// every silo (the store's), so silos whose own clocks disagree still agree on who holds a lease.
/// </summary>
public interface IFeedLeases
{
    /// <summary>
    /// In one atomic step: creates the lease for <paramref name="siloId"/> when there is none, takes it
    /// over when it expired (new epoch), renews it when <paramref name="siloId"/> holds it (same epoch),
    /// and otherwise reports who holds it.
    /// </summary>
    /// <param name="exchange">The exchange.</param>
    /// <param name="siloId">The asking silo.</param>
    /// <param name="cancellationToken">Cancels the attempt; its outcome is then unknown.</param>
    Task<FeedLeaseClaim> TryAcquireOrRenewAsync(string exchange, string siloId, CancellationToken cancellationToken);

    /// <summary>Expires the lease now if <paramref name="siloId"/> holds it, so another silo can take it at once.</summary>
    /// <param name="exchange">The exchange.</param>
    /// <param name="siloId">The releasing silo.</param>
    /// <param name="cancellationToken">Cancels the release.</param>
    /// <returns>True when this silo held the lease and released it.</returns>
    Task<bool> ReleaseAsync(string exchange, string siloId, CancellationToken cancellationToken);

    /// <summary>Every lease, expired or not, by exchange.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    Task<IReadOnlyList<FeedLease>> GetLeasesAsync(CancellationToken cancellationToken);
}
