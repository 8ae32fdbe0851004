using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Streams;
using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Silo.Feeds;
using PriceActors.Silo.Health;
using PriceActors.Silo.Postgres;
using OrleansClusterOptions = Orleans.Configuration.ClusterOptions;

namespace PriceActors.Silo.Cluster;

/// <summary>Composes the Orleans silo of a cluster into a host.</summary>
public static class ClusterSiloExtensions
{
    /// <summary>The service id every silo and gateway of PriceActors shares (Orleans keys durable state by it).</summary>
    public const string ServiceId = "priceactors";

    /// <summary>The section bound to Orleans' <see cref="ClusterMembershipOptions"/> (failure detection).</summary>
    public const string MembershipSection = "Orleans:Membership";

    /// <summary>
    /// Adds a cluster silo: the PostgreSQL store (schema migrator, pairs fenced per pair, tick retention), then Orleans
    /// on PostgreSQL (<see cref="PostgresOrleansProviders"/>: membership, the stream subscriptions' storage, reminders
    /// and the durable tick streams) with memory update streams and the Orleans Dashboard's services, then the feed
    /// keeper; and the health checks <c>silo</c>, <c>feeds</c> and <c>postgres</c>. The silo starts once the schema is
    /// applied; on shutdown the feeds stop first, then the silo leaves its cluster.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    public static IHostApplicationBuilder AddClusterSilo(this IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(ClusterSiloOptions.Section).Get<ClusterSiloOptions>() ?? new ClusterSiloOptions();
        var services = builder.Services;
        services.AddOptions<ClusterSiloOptions>().BindConfiguration(ClusterSiloOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddGrainOptions();
        services.AddOptions<StreamOptions>();
        services.TryAddSingleton<IPartitionFence>(sp =>
            new PairFence(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString()));
        services.AddPostgresStore();
        services.AddHostedService<SchemaGate>();

        var connectionString = builder.Configuration.GetSection(PostgresOptions.Section).Get<PostgresOptions>()?.ConnectionString ?? "";
        builder.UseOrleans(silo =>
        {
            silo.Configure<OrleansClusterOptions>(o => (o.ClusterId, o.ServiceId) = (settings.ClusterId, ServiceId));
            ConfigureEndpoints(silo, settings);
            silo.Services.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection(MembershipSection));
            silo.UsePostgresProviders(connectionString, settings.StreamPollPeriod, settings.StreamQueues, settings.TickVisibilityTimeout);
            silo.AddMemoryStreams(StreamNames.UpdateProvider, streams =>
            {
                streams.ConfigurePartitioning(settings.StreamQueues);
                streams.ConfigureStreamPubSub(StreamPubSubType.ExplicitGrainBasedOnly);
                streams.ConfigurePullingAgent(o => o.Configure(p => p.GetQueueMsgsTimerPeriod = settings.StreamPollPeriod));
            });
            silo.AddDashboard();
        });

        services.AddFeedKeeper();
        services.PostConfigure<FeedKeeperOptions>(o => o.StopFeedsOnShutdown = false);
        services.AddHealthChecks()
            .AddCheck<SiloHealthCheck>("silo", tags: ["ready"])
            .AddCheck<FeedsHealthCheck>("feeds", tags: ["ready"]);
        return builder;
    }

    private static void ConfigureEndpoints(ISiloBuilder silo, ClusterSiloOptions settings)
    {
        if (string.IsNullOrWhiteSpace(settings.AdvertisedAddress))
        {
            silo.ConfigureEndpoints(settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: true);
        }
        else if (IPAddress.TryParse(settings.AdvertisedAddress, out var address))
        {
            silo.ConfigureEndpoints(address, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: true);
        }
        else
        {
            silo.ConfigureEndpoints(settings.AdvertisedAddress, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: true);
        }
    }
}
