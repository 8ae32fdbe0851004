using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace PriceActors.Runtime.Hosting;

/// <summary>Adds the in-process actor runtime to a host.</summary>
public static class ActorRuntimeServiceCollectionExtensions
{
    /// <summary>
    /// Adds the runtime as <see cref="IActorClient"/> and <see cref="IActorTransport"/>, bound to the
    /// <c>Actors</c> configuration section, stopped gracefully with the host.
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static ActorRuntimeBuilder AddActorRuntime(this IServiceCollection services)
    {
        services.AddOptions<ActorRuntimeOptions>()
            .BindConfiguration(ActorRuntimeOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ActorRuntime>();
        services.TryAddSingleton<IActorClient>(sp => sp.GetRequiredService<ActorRuntime>());
        services.TryAddSingleton<IActorTransport>(sp => sp.GetRequiredService<ActorRuntime>());
        services.AddHostedService<ActorRuntimeHostedService>();
        return new ActorRuntimeBuilder(services);
    }
}
