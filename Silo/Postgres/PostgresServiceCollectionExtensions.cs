using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using PriceActors.Grains.Storage;
using PriceActors.Silo.Health;

namespace PriceActors.Silo.Postgres;

/// <summary>Adds the PostgreSQL store to a silo.</summary>
public static class PostgresServiceCollectionExtensions
{
    /// <summary>
    /// Adds the <see cref="PostgresOptions"/> (section <c>Postgres</c>, validated at start), the data source,
    /// the schema migrator (a hosted service that retries while the database is down; the services that use the
    /// database wait for it), the <see cref="PairFence"/> (recording this process as the owner of its claims, unless a
    /// fence was added before, as the cluster silo adds one named after the silo), <see cref="PostgresStore"/> as
    /// <see cref="IMarketStore"/>, the tick retention service and the <c>postgres</c> readiness check. Replaces an
    /// <see cref="IMarketStore"/> added before; one added later with TryAdd (the embedded silo's) is skipped.
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddPostgresStore(this IServiceCollection services)
    {
        services.AddOptions<PostgresOptions>().BindConfiguration(PostgresOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<PostgresOptions>>().Value;
            return NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(options.ConnectionString) { MaxPoolSize = options.MaxPoolSize });
        });
        services.AddSingleton<SchemaMigrator>();
        services.AddHostedService(sp => sp.GetRequiredService<SchemaMigrator>());
        services.TryAddSingleton(sp => new PairFence(sp.GetRequiredService<NpgsqlDataSource>(), $"{Environment.MachineName}:{Environment.ProcessId}"));
        services.TryAddSingleton<PostgresStore>();
        services.TryAddSingleton<OpenBarReader>();
        services.Replace(ServiceDescriptor.Singleton<IMarketStore>(sp => sp.GetRequiredService<PostgresStore>()));
        services.AddHostedService<TickRetentionService>();
        services.AddHealthChecks().AddCheck<PostgresHealthCheck>("postgres", tags: ["ready"]);
        return services;
    }
}
