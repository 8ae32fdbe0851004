using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Runtime;
using Orleans.Storage;
using Orleans.Streams;
using Orleans.TestingHost;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;

namespace PriceActors.Tests.Support;

/// <summary>
/// Orleans test clusters configured as embedded mode is: memory streams for ticks and updates, memory pub-sub storage,
/// in-memory reminders; the feed mode in storage all silos share (<see cref="SharedGrainStorage"/>).
/// </summary>
internal static class TestSilos
{
    /// <summary>A cluster of <paramref name="silos"/> silos, not yet deployed; <paramref name="configureHost"/> adds each silo's services.</summary>
    public static InProcessTestCluster Build(short silos, Action<InProcessTestSiloSpecificOptions, IHostApplicationBuilder> configureHost)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        var feedModes = new SharedGrainStorage();
        builder.ConfigureSiloHost(configureHost);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage("PubSubStore");

            // The feed mode outlives a killed silo, as in PostgreSQL.
            silo.Services.AddKeyedSingleton<IGrainStorage>(FeedModeGrain.Storage, feedModes);
            silo.UseInMemoryReminderService();
            silo.AddMemoryStreams(StreamNames.TickProvider, s =>
            {
                s.ConfigureStreamPubSub(StreamPubSubType.ImplicitOnly);
                s.ConfigurePullingAgent(o => o.Configure(p => (p.GetQueueMsgsTimerPeriod, p.BatchContainerBatchSize) = (TimeSpan.FromMilliseconds(10), 64)));
            });
            silo.AddMemoryStreams(StreamNames.UpdateProvider, s =>
            {
                s.ConfigureStreamPubSub(StreamPubSubType.ExplicitGrainBasedOnly);
                s.ConfigurePullingAgent(o => o.Configure(p => p.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(10)));
            });
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(StreamNames.UpdateProvider, s => s.ConfigureStreamPubSub(StreamPubSubType.ExplicitGrainBasedOnly)));
        return builder.Build();
    }

    /// <summary>The silo <paramref name="grain"/> is active on, if it is.</summary>
    public static async Task<SiloAddress?> SiloOfAsync(IGrainFactory grains, GrainId grain)
    {
        var statistics = await grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        return statistics.FirstOrDefault(s => s.GrainId == grain)?.SiloAddress;
    }
}
