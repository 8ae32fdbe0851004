using Microsoft.Extensions.DependencyInjection.Extensions;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;
using PriceActors.Grains.Instruments;
using PriceActors.Grains.Pairs;
using PriceActors.Grains.Storage;
using PriceActors.Grains.Streams;
using PriceActors.Runtime.Hosting;
using PriceActors.Silo.Health;

namespace PriceActors.Silo;

/// <summary>Adds a silo to a host.</summary>
public static class SiloServiceCollectionExtensions
{
    /// <summary>
    /// Adds the embedded silo: the actor runtime with the pair and feed actors, the in-memory bus
    /// and store, the synthetic feeds, the tick consumer and their health checks. Hosted services
    /// stop in reverse order: feeds first, then the consumer, then the actors.
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddEmbeddedSilo(this IServiceCollection services)
    {
        services.AddSiloActors();
        services.AddValidatedOptions<StreamOptions>(StreamOptions.Section);
        services.AddValidatedOptions<InMemoryStoreOptions>(InMemoryStoreOptions.Section);

        services.TryAddSingleton<InMemoryBus>();
        services.TryAddSingleton<ITickStream>(sp => sp.GetRequiredService<InMemoryBus>());
        services.TryAddSingleton<IUpdateStream>(sp => sp.GetRequiredService<InMemoryBus>());
        services.TryAddSingleton<IMarketStore, InMemoryStore>();

        services.AddHostedService<TickStreamConsumer>();
        services.AddHostedService<FeedSupervisor>();

        services.AddHealthChecks()
            .AddCheck<FeedsHealthCheck>("feeds", tags: ["ready"])
            .AddCheck<InMemoryBusHealthCheck>("bus", tags: ["ready"])
            .AddCheck<StoreHealthCheck>("store", tags: ["ready"]);
        return services;
    }

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
        services.AddValidatedOptions<PairActorOptions>(PairActorOptions.Section);
        services.AddOptions<SyntheticFeedOptions>()
            .BindConfiguration(SyntheticFeedOptions.Section)
            .PostConfigure(o => o.ApplyDefaults())
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<IInstrumentCatalog, ConfiguredInstrumentCatalog>();
        services.TryAddSingleton<IFeedPermit>(AlwaysPermitted.Instance);
        services.AddHealthChecks().AddCheck<ActorRuntimeHealthCheck>("actors", tags: ["ready"]);
        return services;
    }

    private static void AddValidatedOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
