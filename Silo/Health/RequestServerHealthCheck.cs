using Microsoft.Extensions.Diagnostics.HealthChecks;
using PriceActors.Silo.RabbitMq.Requests;

namespace PriceActors.Silo.Health;

/// <summary>A silo's answers to gateways' requests: the partitions served and the counters.</summary>
internal sealed class RequestServerHealthCheck(PartitionRequestServer server, RequestStatistics statistics) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = statistics.ToData();
        data["partitions"] = server.Partitions.Order().ToArray();
        return Task.FromResult(HealthCheckResult.Healthy($"Serving the requests of {server.Partitions.Count} partitions", data));
    }
}
