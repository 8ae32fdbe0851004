using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Streams;
using PriceActors.Grains;
using PriceActors.Silo.Feeds;
using PriceActors.Silo.Health;
using PriceActors.Silo.Postgres;
using PriceActors.Silo.Streaming;
using OrleansClusterOptions = Orleans.Configuration.ClusterOptions;

namespace PriceActors.Silo.Cluster;

/// <summary>Composes the Orleans silo of a cluster into a host.</summary>
public static class ClusterSiloExtensions
{
    /// <summary>The service id every silo and gateway of PriceActors shares (Orleans keys durable state by it).</summary>
    public const string ServiceId = "priceactors";

    /// <summary>The section bound to Orleans' <see cref="ClusterMembershipOptions"/> (failure detection).</summary>
    public const string MembershipSection = "Orleans:Membership";

    /// <summary>The section bound to Orleans' <see cref="ReminderOptions"/> (e.g. <c>MinimumReminderPeriod</c>); <c>Orleans:Reminders</c> is Orleans' own provider section.</summary>
    public const string RemindersSection = "Orleans:ReminderOptions";

    /// <summary>The section bound to Orleans' <see cref="ActivationRebalancerOptions"/> (when <see cref="ClusterSiloOptions.Rebalancing"/>).</summary>
    public const string RebalancerSection = "Orleans:Rebalancer";

    /// <summary>The section bound to Orleans' messaging options (e.g. <c>ResponseTimeout</c> of grain calls).</summary>
    public const string MessagingSection = "Orleans:Messaging";

    /// <summary>How long a grain call waits for its answer in a cluster, silos and gateways alike: 5 s (Orleans' own is 30 s).</summary>
    public static readonly TimeSpan DefaultResponseTimeout = TimeSpan.FromSeconds(5);

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
        services.TryAddSingleton(sp =>
            new PairFence(sp.GetRequiredService<NpgsqlDataSource>(), sp.GetRequiredService<ILocalSiloDetails>().SiloAddress.ToString()));
        services.AddPostgresStore();
        services.AddHostedService<SchemaGate>();

        var connectionString = new NpgsqlConnectionStringBuilder(builder.Configuration.GetSection(PostgresOptions.Section).Get<PostgresOptions>()?.ConnectionString)
        {
            MaxPoolSize = settings.ProviderMaxPoolSize,
        }.ConnectionString;
        builder.UseOrleans(silo =>
        {
            silo.Configure<OrleansClusterOptions>(o => (o.ClusterId, o.ServiceId) = (settings.ClusterId, ServiceId));
            ConfigureEndpoints(silo, settings);
            silo.Services.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection(MembershipSection));
            silo.Services.Configure<ReminderOptions>(builder.Configuration.GetSection(RemindersSection));
            // A call to a grain of a silo that died waits for its response timeout; Orleans' 30 s would hold every update
            // stream whose queue or subscriptions lived there that long. Overridable in Orleans:Messaging.
            silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = DefaultResponseTimeout);
            silo.Services.Configure<SiloMessagingOptions>(builder.Configuration.GetSection(MessagingSection));
            silo.UsePostgresProviders(
                connectionString, settings.StreamPollPeriod, settings.StreamQueues, settings.TickVisibilityTimeout, settings.TickRoundsPerDelivery);
            silo.AddMemoryStreams(StreamNames.UpdateProvider, streams =>
            {
                streams.ConfigurePartitioning(settings.StreamQueues);
                streams.ConfigureStreamPubSub(StreamPubSubType.ExplicitGrainBasedOnly);
                streams.ConfigurePullingAgent(o => o.Configure(p => p.GetQueueMsgsTimerPeriod = settings.StreamPollPeriod));
                streams.ConfigureBackoffProvider(QueueReadBackoff.Updates);
            });
            silo.AddDashboard();
            if (settings.Rebalancing)
            {
#pragma warning disable ORLEANSEXP002 // Orleans marks its activation rebalancer experimental.
                silo.AddActivationRebalancer();
#pragma warning restore ORLEANSEXP002
                silo.Services.Configure<ActivationRebalancerOptions>(builder.Configuration.GetSection(RebalancerSection));
            }
        });

        services.AddFeedKeeper();
        services.AddHostedService<Ops.SiloOpsReporter>();
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
