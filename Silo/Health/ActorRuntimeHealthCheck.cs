using Microsoft.Extensions.Diagnostics.HealthChecks;
using PriceActors.Runtime;

namespace PriceActors.Silo.Health;

/// <summary>Reports the actor runtime's counters; healthy while it runs.</summary>
internal sealed class ActorRuntimeHealthCheck(ActorRuntime runtime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var s = runtime.GetStatistics();
        return Task.FromResult(HealthCheckResult.Healthy($"{s.Activations} actors active", new Dictionary<string, object>
        {
            ["activations"] = s.Activations,
            ["activated"] = s.Activated,
            ["deactivated"] = s.Deactivated,
            ["activationFailures"] = s.ActivationFailures,
            ["messagesProcessed"] = s.MessagesProcessed,
            ["messagesFailed"] = s.MessagesFailed,
            ["mailboxFullWaits"] = s.MailboxFullWaits,
            ["timerTicksSkipped"] = s.TimerTicksSkipped,
        }));
    }
}
