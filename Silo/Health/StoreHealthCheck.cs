using Microsoft.Extensions.Diagnostics.HealthChecks;
using PriceActors.Grains.Storage;

namespace PriceActors.Silo.Health;

/// <summary>Reports the store's counters.</summary>
internal sealed class StoreHealthCheck(IMarketStore store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var statistics = store.GetStatistics();
        return Task.FromResult(HealthCheckResult.Healthy($"{statistics.Kind} store", new Dictionary<string, object> { ["statistics"] = statistics }));
    }
}
