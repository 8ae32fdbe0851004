using Microsoft.Extensions.Diagnostics.HealthChecks;
using PriceActors.Silo.Feeds;

namespace PriceActors.Silo.Health;

/// <summary>
/// Reports the feed election's last round: degraded while this silo cannot reach the lease table (its feeds
/// stop once their leases could lapse, and other silos take them over), healthy otherwise, with each
/// exchange's holder, epoch and whether this silo runs its feed.
/// </summary>
public sealed class FeedElectionHealthCheck(FeedElection election) : IHealthCheck
{
    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var view = election.View;
        var data = view.Feeds.ToDictionary(f => f.Exchange, object (f) => f);
        var running = view.Feeds.Where(f => f.FeedRunning).Select(f => f.Exchange).ToList();
        var result = view.Rounds == 0 ? HealthCheckResult.Degraded("No election round has completed yet", data: data)
            : !view.LeaseTableReachable ? HealthCheckResult.Degraded($"Cannot reach the feed lease table: {view.LastError}", data: data)
            : HealthCheckResult.Healthy(
                running.Count == 0 ? "Runs no feed" : $"Runs the feeds of {string.Join(", ", running)}",
                data);
        return Task.FromResult(result);
    }
}
