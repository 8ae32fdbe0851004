using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;

namespace PriceActors.Silo.Health;

/// <summary>Asks every feed grain for its state: unhealthy if one faulted, degraded if one is not running.</summary>
internal sealed class FeedsHealthCheck(IGrainFactory grains, IOptions<SyntheticFeedOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var statuses = await Task.WhenAll(options.Value.Exchanges.Select(e =>
            grains.GetGrain<IExchangeFeedGrain>(e).GetStatusAsync().WaitAsync(cancellationToken)));
        var data = statuses.ToDictionary(s => s.Exchange, object (s) => s);
        var faulted = statuses.Where(s => s.State == FeedState.Faulted).Select(s => s.Exchange).ToList();
        var stopped = statuses.Where(s => s.State == FeedState.Stopped).Select(s => s.Exchange).ToList();
        return faulted.Count > 0 ? HealthCheckResult.Unhealthy($"Faulted: {string.Join(", ", faulted)}", data: data)
            : stopped.Count > 0 ? HealthCheckResult.Degraded($"Stopped: {string.Join(", ", stopped)}", data: data)
            : HealthCheckResult.Healthy($"{statuses.Length} feeds running", data);
    }
}
