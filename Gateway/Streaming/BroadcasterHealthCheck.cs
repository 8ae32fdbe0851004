using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace PriceActors.Gateway.Streaming;

/// <summary>Reports the hub's subscribers and how many updates were sent or dropped.</summary>
internal sealed class BroadcasterHealthCheck(PriceBroadcaster broadcaster) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (connections, instruments, sent, dropped) = broadcaster.GetStatistics();
        var (queued, largest) = broadcaster.GetQueued();
        return Task.FromResult(HealthCheckResult.Healthy($"{connections} connections subscribed", new Dictionary<string, object>
        {
            ["connections"] = connections,
            ["instruments"] = instruments,
            ["updatesSent"] = sent,
            ["updatesDropped"] = dropped,
            ["queuedMessages"] = queued,
            ["largestQueue"] = largest,
        }));
    }
}
