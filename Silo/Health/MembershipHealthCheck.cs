using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PriceActors.Silo.Membership;

namespace PriceActors.Silo.Health;

/// <summary>Healthy while heartbeats land; degraded after one failed; unhealthy once silent long enough to be declared dead.</summary>
internal sealed class MembershipHealthCheck(SiloMembership membership, SiloIdentity silo, IOptions<MembershipOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var since = membership.SinceLastHeartbeat;
        var data = new Dictionary<string, object> { ["siloId"] = silo.Id, ["sinceLastHeartbeatMs"] = since?.TotalMilliseconds ?? -1 };
        return Task.FromResult(
            since is null || since > options.Value.DeadAfter ? HealthCheckResult.Unhealthy($"No heartbeat written: {membership.LastError ?? "not yet"}", data: data)
            : membership.LastError is { } error ? HealthCheckResult.Degraded($"Last heartbeat failed: {error}", data: data)
            : HealthCheckResult.Healthy($"Silo {silo.Id} heartbeating", data));
    }
}
