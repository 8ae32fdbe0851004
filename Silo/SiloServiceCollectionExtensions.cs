using Microsoft.Extensions.DependencyInjection.Extensions;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;
using PriceActors.Grains.Instruments;
using PriceActors.Grains.Pairs;
using PriceActors.Runtime.Hosting;
using PriceActors.Silo.Health;

namespace PriceActors.Silo;

/// <summary>Adds a silo to a host.</summary>
public static class SiloServiceCollectionExtensions
{
    /// <summary>
    /// What the cluster silo on the former actor runtime hosts: the runtime with the pair and feed actors, the grain
    /// options (<see cref="AddGrainOptions"/>) and the actors' health check. Added first, so the runtime stops last.
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

    /// <summary>
    /// The options every silo's grains read: <c>Pairs</c>, <c>Feeds:Synthetic</c>, and the instrument catalog
    /// built from the latter.
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddGrainOptions(this IServiceCollection services)
    {
        services.AddValidatedOptions<PairActorOptions>(PairActorOptions.Section);
        services.AddOptions<SyntheticFeedOptions>()
            .BindConfiguration(SyntheticFeedOptions.Section)
            .PostConfigure(o => o.ApplyDefaults())
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<IInstrumentCatalog, ConfiguredInstrumentCatalog>();
        return services;
    }

    private static void AddValidatedOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
