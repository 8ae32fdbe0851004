using System.Collections.Concurrent;
using Npgsql;
using PriceActors.Silo.Feeds;

namespace PriceActors.Tests.Silo.Feeds;

/// <summary>
/// The real lease table behind a switch that makes it unreachable for one silo, remembering the last
/// lease each exchange granted this silo (what the database promised, whether or not the silo heard it).
/// </summary>
internal sealed class FlakyFeedLeases(IFeedLeases inner) : IFeedLeases
{
    private readonly ConcurrentDictionary<string, FeedLeaseClaim> granted = new();

    private volatile bool unreachable;

    public bool Unreachable
    {
        get => unreachable;
        set => unreachable = value;
    }

    public FeedLeaseClaim? LastGranted(string exchange) => granted.GetValueOrDefault(exchange);

    public async Task<FeedLeaseClaim> TryAcquireOrRenewAsync(string exchange, string siloId, CancellationToken cancellationToken)
    {
        ThrowIfUnreachable();
        var claim = await inner.TryAcquireOrRenewAsync(exchange, siloId, cancellationToken);
        if (claim.Held)
        {
            granted[exchange] = claim;
        }

        ThrowIfUnreachable(); // cut off while the answer was on its way
        return claim;
    }

    public Task<bool> ReleaseAsync(string exchange, string siloId, CancellationToken cancellationToken)
    {
        ThrowIfUnreachable();
        return inner.ReleaseAsync(exchange, siloId, cancellationToken);
    }

    public Task<IReadOnlyList<FeedLease>> GetLeasesAsync(CancellationToken cancellationToken)
    {
        ThrowIfUnreachable();
        return inner.GetLeasesAsync(cancellationToken);
    }

    private void ThrowIfUnreachable()
    {
        if (unreachable)
        {
            throw new NpgsqlException("The lease table is unreachable (test)");
        }
    }
}
