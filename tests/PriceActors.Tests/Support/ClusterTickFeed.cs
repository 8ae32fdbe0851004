using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using PriceActors.Grains;
using PriceActors.Silo.Cluster;

namespace PriceActors.Tests.Support;

/// <summary>
/// The test as an exchange feed outside the silos: an Orleans client of the cluster that publishes tick batches to the
/// durable tick streams in PostgreSQL, each batch again after a failure until it is taken, as a feed does (the pairs
/// drop trades they already took).
/// </summary>
public sealed class ClusterTickFeed : IAsyncDisposable
{
    private readonly IHost host;
    private readonly IStreamProvider streams;

    private ClusterTickFeed(IHost host)
    {
        this.host = host;
        Cluster = host.Services.GetRequiredService<IClusterClient>();
        streams = Cluster.GetStreamProvider(StreamNames.TickProvider);
    }

    /// <summary>The client, e.g. for the management grain.</summary>
    public IClusterClient Cluster { get; }

    /// <summary>Connects to the cluster <paramref name="clusterId"/> whose silos have <paramref name="queues"/> tick stream queues.</summary>
    public static async Task<ClusterTickFeed> StartAsync(string connectionString, string clusterId, int queues)
    {
        var host = await ClusterClientHost.StartAsync(connectionString, clusterId, client => client.AddPostgresTickStreams(connectionString, queues));
        return new ClusterTickFeed(host);
    }

    /// <summary>Publishes the batch; after a failure (the database down) again every 200 ms, for up to <paramref name="patience"/>.</summary>
    public async Task PublishAsync(TickBatch batch, TimeSpan patience)
    {
        var stream = streams.GetStream<TickRound>(StreamNames.TicksOf(batch.Instrument));
        var round = new TickRound([batch]);
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            try
            {
                await stream.OnNextAsync(round);
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }
}
