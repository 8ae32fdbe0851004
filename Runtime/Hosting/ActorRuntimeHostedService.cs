using Microsoft.Extensions.Hosting;

namespace PriceActors.Runtime.Hosting;

/// <summary>Stops the runtime with the host, after the services registered later (feeds, consumers) have stopped.</summary>
internal sealed class ActorRuntimeHostedService(ActorRuntime runtime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => runtime.StopAsync(cancellationToken);
}
