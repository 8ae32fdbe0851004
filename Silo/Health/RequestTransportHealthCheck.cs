using Microsoft.Extensions.Diagnostics.HealthChecks;
using PriceActors.Silo.RabbitMq.Requests;

namespace PriceActors.Silo.Health;

/// <summary>A gateway's requests to the actors: unhealthy, with the reason, while they cannot be sent; otherwise the counters.</summary>
internal sealed class RequestTransportHealthCheck(RabbitMqActorTransport transport, RequestStatistics statistics) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(transport.DownReason is { } reason
            ? HealthCheckResult.Unhealthy($"Actor requests cannot be sent: {reason}", data: statistics.ToData())
            : HealthCheckResult.Healthy($"Actor requests over RabbitMQ, {statistics.PendingCount} pending", statistics.ToData()));
}
