using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using PriceActors.Gateway.Streaming;
using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Silo;
using PriceActors.Silo.Cluster;
using PriceActors.Silo.Postgres;
using OrleansClusterOptions = Orleans.Configuration.ClusterOptions;

namespace PriceActors.Gateway.Hosting;

/// <summary>Adds the backends of a cluster gateway.</summary>
public static class ClusterGatewayExtensions
{
    /// <summary>
    /// Adds what a stateless cluster gateway needs and nothing more (no grains, feeds or store): an Orleans client of
    /// the cluster <see cref="ClusterGatewayOptions.ClusterId"/>, which finds the silos in the PostgreSQL membership
    /// table (<c>Postgres:ConnectionString</c>) and retries until one answers; the update streams it subscribes to; the
    /// Orleans Dashboard's client services; the instrument catalog from <c>Feeds:Synthetic</c> and <c>Pairs</c> (the
    /// silos' own settings); and the <c>cluster</c> readiness check.
    /// </summary>
    /// <param name="builder">The application builder.</param>
    public static WebApplicationBuilder AddClusterGateway(this WebApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(ClusterGatewayOptions.Section).Get<ClusterGatewayOptions>() ?? new ClusterGatewayOptions();
        var connectionString = builder.Configuration.GetSection(PostgresOptions.Section).Get<PostgresOptions>()?.ConnectionString;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                "Cluster mode needs Postgres:ConnectionString, the database whose membership table lists the silos (e.g. --Postgres:ConnectionString \"Host=...;Database=priceactors;Username=...\").");
        }

        var services = builder.Services;
        // The server listens while the client still looks for a silo: /health/live answers, /health/ready says why not.
        services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
        services.AddOptions<ClusterGatewayOptions>().BindConfiguration(ClusterGatewayOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.UseOrleansClient(client =>
        {
            client.Configure<OrleansClusterOptions>(o => (o.ClusterId, o.ServiceId) = (settings.ClusterId, ClusterSiloExtensions.ServiceId));
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = settings.GatewayListRefreshPeriod);
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = ClusterSiloExtensions.DefaultResponseTimeout);
            client.Services.Configure<ClientMessagingOptions>(builder.Configuration.GetSection(ClusterSiloExtensions.MessagingSection));
            client.UsePostgresClustering(connectionString);
            client.UseConnectionRetryFilter<ClusterConnectRetry>();
            client.AddMemoryStreams(StreamNames.UpdateProvider);
            client.AddDashboard();
        });
        services.AddSingleton<ClusterConnection>();
        services.AddSingleton<IClusterConnectionStatusObserver>(sp => sp.GetRequiredService<ClusterConnection>());
        services.AddGrainOptions();
        services.AddSingleton<IUpdateSource, OrleansUpdateSource>();
        services.AddHostedService<FeedModeWatcher>();
        services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Answers the API and the hub with 503 (problem+json, <c>Retry-After</c>) while the gateway is connected to no
    /// silo; health endpoints and the page stay served.
    /// </summary>
    /// <param name="app">The application of a cluster gateway.</param>
    public static WebApplication UseClusterConnectionGate(this WebApplication app)
    {
        var connection = app.Services.GetRequiredService<ClusterConnection>();
        var cluster = app.Services.GetRequiredService<IOptions<ClusterGatewayOptions>>().Value.ClusterId;
        app.Use(async (context, next) =>
        {
            if (connection.IsConnected || !(ApiPaths.IsRest(context.Request.Path) || context.Request.Path.StartsWithSegments("/hubs")))
            {
                await next(context);
                return;
            }

            await ApiPaths.RefuseAsync(
                context, StatusCodes.Status503ServiceUnavailable, "Service unavailable", $"The gateway is not connected to cluster {cluster} yet: no silo answers.", 1);
        });
        return app;
    }
}
