using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PriceActors.Silo.Health;

/// <summary>The Orleans silo of this process: healthy while it is active in its cluster.</summary>
internal sealed class SiloHealthCheck(ISiloStatusOracle oracle) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = oracle.CurrentStatus;
        var data = new Dictionary<string, object> { ["silo"] = oracle.SiloAddress.ToString(), ["status"] = status.ToString() };
        return Task.FromResult(status == global::Orleans.Runtime.SiloStatus.Active
            ? HealthCheckResult.Healthy($"Silo {oracle.SiloAddress} is active", data)
            : HealthCheckResult.Unhealthy($"Silo {oracle.SiloAddress} is {status}", data: data));
    }
}
