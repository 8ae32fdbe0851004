using Microsoft.Extensions.Hosting;
using Orleans.Streams;
using Orleans.TestingHost;
using PriceActors.Grains;

namespace PriceActors.Tests.Support;

/// <summary>Orleans test clusters configured as embedded mode is: memory streams for ticks and updates, memory pub-sub storage, in-memory reminders.</summary>
internal static class TestSilos
{
    /// <summary>A cluster of <paramref name="silos"/> silos, not yet deployed; <paramref name="configureHost"/> adds each silo's services.</summary>
    public static InProcessTestCluster Build(short silos, Action<InProcessTestSiloSpecificOptions, IHostApplicationBuilder> configureHost)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSiloHost(configureHost);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage("PubSubStore");
            silo.AddMemoryGrainStorage(PriceActors.Grains.Feeds.FeedModeGrain.Storage);
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
}
