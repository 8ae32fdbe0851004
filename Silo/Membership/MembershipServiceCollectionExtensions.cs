using Microsoft.Extensions.DependencyInjection.Extensions;
using PriceActors.Silo.Health;

namespace PriceActors.Silo.Membership;

/// <summary>Adds cluster membership to a silo.</summary>
public static class MembershipServiceCollectionExtensions
{
    /// <summary>
    /// Adds this silo's identity, the membership table and the heartbeat service with its health
    /// check. Needs an <c>NpgsqlDataSource</c> (see <c>AddPostgresStore</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddMembership(this IServiceCollection services)
    {
        services.AddOptions<MembershipOptions>().BindConfiguration(MembershipOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => SiloIdentity.ForThisProcess(sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<MembershipTable>();
        services.TryAddSingleton<SiloMembership>();
        services.AddHostedService(sp => sp.GetRequiredService<SiloMembership>());
        services.AddHealthChecks().AddCheck<MembershipHealthCheck>("membership", tags: ["ready"]);
        return services;
    }
}
