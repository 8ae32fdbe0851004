using Microsoft.Extensions.Diagnostics.HealthChecks;
using PriceActors.Grains.Streams;

namespace PriceActors.Silo.Health;

/// <summary>Reports the in-memory bus's counters; it cannot be unreachable.</summary>
internal sealed class InMemoryBusHealthCheck(InMemoryBus bus) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(HealthCheckResult.Healthy("in-memory bus", new Dictionary<string, object> { ["statistics"] = bus.GetStatistics() }));
}
