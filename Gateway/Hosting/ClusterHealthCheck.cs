using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PriceActors.Gateway.Hosting;

/// <summary>A cluster gateway's link to its silos: healthy while the cluster answers and lists an active silo.</summary>
internal sealed class ClusterHealthCheck(IClusterClient client, ClusterConnection connection) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!connection.IsConnected)
        {
            return HealthCheckResult.Unhealthy("Not connected to the cluster: no silo answers");
        }

        try
        {
            var hosts = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(Timeout, cancellationToken);
            var data = new Dictionary<string, object> { ["silos"] = hosts.Keys.Select(s => s.ToString()).ToArray() };
            return hosts.Count > 0
                ? HealthCheckResult.Healthy($"{hosts.Count} active silos", data)
                : HealthCheckResult.Unhealthy("No active silo", data: data);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The cluster does not answer: {error.Message}", error);
        }
    }
}
