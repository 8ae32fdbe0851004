using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Dashboard;
using Orleans.Providers;
using Orleans.Streams;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;
using PriceActors.Grains.Storage;
using PriceActors.Silo.Feeds;
using PriceActors.Silo.Health;

using PriceActors.Silo.Streaming;

namespace PriceActors.Silo.Embedded;

/// <summary>Composes an Orleans silo into a host for embedded mode.</summary>
public static class EmbeddedSiloExtensions
{
    /// <summary>
    /// Adds the embedded silo: Orleans with localhost clustering on <see cref="EmbeddedSiloOptions.SiloPort"/>, the
    /// pair and feed grains, memory streams for ticks (implicit subscriptions only) and updates, memory grain storage
    /// for the update streams' subscriptions, in-memory reminders (the pairs' bar reminders), the in-memory store, the feed keeper, the Orleans Dashboard's services
    /// and the health checks. The feed keeper is added after the silo, so it stops the feeds before the silo stops.
    /// </summary>
    /// <param name="builder">The host builder.</param>
    public static IHostApplicationBuilder AddEmbeddedSilo(this IHostApplicationBuilder builder)
    {
        var settings = builder.Configuration.GetSection(EmbeddedSiloOptions.Section).Get<EmbeddedSiloOptions>() ?? new EmbeddedSiloOptions();
        var services = builder.Services;
        services.AddOptions<EmbeddedSiloOptions>().BindConfiguration(EmbeddedSiloOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddGrainOptions();
        services.AddValidatedOptions<InMemoryStoreOptions>(InMemoryStoreOptions.Section);
        services.TryAddSingleton<IMarketStore, InMemoryStore>();

        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: "priceactors", clusterId: "embedded");
            silo.AddMemoryGrainStorage(ProviderConstants.DEFAULT_PUBSUB_PROVIDER_NAME);
            silo.AddMemoryGrainStorage(FeedModeGrain.Storage);
            silo.UseInMemoryReminderService();
            silo.AddMemoryStreams(StreamNames.TickProvider, streams =>
            {
                streams.ConfigurePartitioning(settings.StreamQueues);
                streams.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
                streams.ConfigurePullingAgent(o => o.Configure(p =>
                    (p.GetQueueMsgsTimerPeriod, p.BatchContainerBatchSize) = (settings.StreamPollPeriod, settings.TickRoundsPerDelivery)));
                streams.ConfigureBackoffProvider(QueueReadBackoff.Ticks);
            });
            silo.AddMemoryStreams(StreamNames.UpdateProvider, streams =>
            {
                streams.ConfigurePartitioning(settings.StreamQueues);
                streams.ConfigureStreamPubSub(StreamPubSubType.ExplicitGrainBasedOnly);
                streams.ConfigurePullingAgent(o => o.Configure(p => p.GetQueueMsgsTimerPeriod = settings.StreamPollPeriod));
                streams.ConfigureBackoffProvider(QueueReadBackoff.Updates);
            });
            silo.AddDashboard();
        });

        services.AddFeedKeeper();
        services.AddHostedService<Ops.SiloOpsReporter>();
        services.AddHealthChecks()
            .AddCheck<SiloHealthCheck>("silo", tags: ["ready"])
            .AddCheck<FeedsHealthCheck>("feeds", tags: ["ready"])
            .AddCheck<StoreHealthCheck>("store", tags: ["ready"]);
        return builder;
    }

    private static void AddValidatedOptions<TOptions>(this IServiceCollection services, string section)
        where TOptions : class =>
        services.AddOptions<TOptions>().BindConfiguration(section).ValidateDataAnnotations().ValidateOnStart();
}
