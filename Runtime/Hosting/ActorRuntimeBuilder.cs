using Microsoft.Extensions.DependencyInjection;

namespace PriceActors.Runtime.Hosting;

/// <summary>Registers the actor types a runtime hosts.</summary>
/// <param name="services">The service collection being built.</param>
public sealed class ActorRuntimeBuilder(IServiceCollection services)
{
    /// <summary>The service collection being built.</summary>
    public IServiceCollection Services { get; } = services;

    /// <summary>Hosts <typeparamref name="TImplementation"/> as the actor behind <typeparamref name="TContract"/>.</summary>
    /// <typeparam name="TContract">The actor contract.</typeparam>
    /// <typeparam name="TImplementation">The implementation.</typeparam>
    public ActorRuntimeBuilder AddActor<TContract, TImplementation>()
        where TContract : IActor
        where TImplementation : Actor, TContract
    {
        Services.AddSingleton(new ActorRegistration(typeof(TContract), typeof(TImplementation)));
        return this;
    }
}
