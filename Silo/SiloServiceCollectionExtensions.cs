using Microsoft.Extensions.DependencyInjection.Extensions;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;
using PriceActors.Grains.Instruments;
using PriceActors.Grains.Pairs;
using PriceActors.Grains.Storage;
using PriceActors.Grains.Streams;
using PriceActors.Runtime.Hosting;
using PriceActors.Silo.Embedded;
using PriceActors.Silo.Health;

namespace PriceActors.Silo;

/// <summary>Adds a silo to a host.</summary>
public static class SiloServiceCollectionExtensions
{
    /// <summary>
    /// What every silo hosts, embedded or clustered: the actor runtime with the pair and feed actors,
    /// their options (<c>Pairs</c>, <c>Feeds:Synthetic</c>), the instrument catalog and the actors'
    /// health check. Added first, so the runtime stops last.
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddSiloActors(this IServiceCollection services)
    {
        services.AddActorRuntime()
            .AddActor<IPairActor, PairActor>()
            .AddActor<IExchangeFeedActor, ExchangeFeedActor>();
        services.AddGrainOptions();
        services.TryAddSingleton<IFeedPermit>(AlwaysPermitted.Instance);
        services.AddHealthChecks().AddCheck<ActorRuntimeHealthCheck>("actors", tags: ["ready"]);
        return services;
    }
}
