using Microsoft.Extensions.DependencyInjection.Extensions;
using PriceActors.Grains.Feeds;
using PriceActors.Silo.Health;

namespace PriceActors.Silo.Feeds;

/// <summary>Adds the feed election to a cluster silo.</summary>
public static class FeedElectionServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="FeedElectionOptions"/> (section <c>Feeds:Election</c>, validated at start), the
    /// PostgreSQL <see cref="FeedLeases"/>, the <see cref="FeedElection"/> hosted service (also the feeds'
    /// <see cref="IFeedPermit"/>, in place of the embedded one) and the
    /// <c>feed-election</c> readiness check. Needs the PostgreSQL data source, the actor runtime with the
    /// feed actor, <c>SyntheticFeedOptions</c> and the silo's identity from the other <c>Add…</c> calls; add
    /// it after the actor runtime, so the feeds stop before the runtime does. Replaces the embedded
    /// <c>FeedSupervisor</c>, which must not be added with it.
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddFeedElection(this IServiceCollection services)
    {
        services.AddOptions<FeedElectionOptions>()
            .BindConfiguration(FeedElectionOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IFeedLeases, FeedLeases>();
        services.TryAddSingleton<FeedElection>();
        services.AddHostedService(sp => sp.GetRequiredService<FeedElection>());
        services.Replace(ServiceDescriptor.Singleton<IFeedPermit>(sp => sp.GetRequiredService<FeedElection>()));
        services.AddHealthChecks().AddCheck<FeedElectionHealthCheck>("feed-election", tags: ["ready"]);
        return services;
    }
}
