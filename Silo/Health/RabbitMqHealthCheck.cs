using Microsoft.Extensions.Diagnostics.HealthChecks;
using PriceActors.Silo.RabbitMq;

namespace PriceActors.Silo.Health;

/// <summary>Unhealthy, with the reason, while the broker connection is down; otherwise reports the bus's counters.</summary>
internal sealed class RabbitMqHealthCheck(RabbitMqConnection connection, RabbitMqStatistics statistics) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["statistics"] = statistics.ToBusStatistics(),
            ["tickPublishFailures"] = statistics.TickPublishFailureCount,
            ["malformedMessages"] = statistics.MalformedMessageCount,
            ["updatesDropped"] = statistics.UpdatesDroppedCount,
        };
        return Task.FromResult(connection.DownReason is { } reason
            ? HealthCheckResult.Unhealthy($"RabbitMQ unavailable: {reason}", data: data)
            : HealthCheckResult.Healthy($"RabbitMQ bus (prefix {connection.Options.Prefix})", data));
    }
}
