using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using PriceActors.Grains;
using PriceActors.Silo.Cluster;
using OrleansClusterOptions = Orleans.Configuration.ClusterOptions;

namespace PriceActors.Bench;

/// <summary>
/// The cluster benchmark's exchange feed: an Orleans client of the cluster publishing tick batches to the durable tick
/// streams in PostgreSQL, as a feed outside the silos does. Each instrument's trade ids run 1, 2, 3… over the whole
/// run, so on the run's fresh database a pair's sequence equals the trade id of its newest tick. The caller publishes
/// one batch of an instrument at a time, which keeps them in order; the batches waiting for one tick stream go out
/// together as one <see cref="TickRound"/>, as a feed grain's round does.
/// </summary>
internal sealed class TickFeed : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly IHost host;
    private readonly Outbox[] outboxes;
    private readonly int[] outboxOf;
    private readonly long[] lastTrade;
    private long published;
    private long retries;

    private TickFeed(IHost host, IReadOnlyList<InstrumentKey> instruments)
    {
        this.host = host;
        Instruments = instruments;
        Cluster = host.Services.GetRequiredService<IClusterClient>();
        var provider = Cluster.GetStreamProvider(StreamNames.TickProvider);
        var streamIds = instruments.Select(StreamNames.TicksOf).Distinct().ToList();
        outboxes = [.. streamIds.Select(id => new Outbox(provider.GetStream<TickRound>(id), this))];
        outboxOf = [.. instruments.Select(i => streamIds.IndexOf(StreamNames.TicksOf(i)))];
        lastTrade = new long[instruments.Count];
    }

    public IReadOnlyList<InstrumentKey> Instruments { get; }

    public IClusterClient Cluster { get; }

    /// <summary>Ticks the streams have taken.</summary>
    public long Published => Interlocked.Read(ref published);

    /// <summary>Publishes that failed and were made again (the pairs drop the trades they already have).</summary>
    public long Retries => Interlocked.Read(ref retries);

    /// <summary>Connects to the cluster <paramref name="clusterId"/>, whose silos have <paramref name="queues"/> tick stream queues.</summary>
    public static async Task<TickFeed> StartAsync(string connectionString, string clusterId, int queues, IReadOnlyList<InstrumentKey> instruments)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.Configure<OrleansClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, ClusterSiloExtensions.ServiceId));
            client.UsePostgresClustering(connectionString);
            client.AddPostgresTickStreams(connectionString, queues);
        });
        var host = builder.Build();
        await host.StartAsync();
        return new TickFeed(host, instruments);
    }

    /// <summary>The trade id of instrument <paramref name="instrument"/>'s newest published tick.</summary>
    public long LastTradeOf(int instrument) => Volatile.Read(ref lastTrade[instrument]);

    /// <summary>
    /// Publishes <paramref name="count"/> ticks of instrument number <paramref name="instrument"/>, each stamped
    /// <paramref name="stamp"/> as its exchange and receive time; a failed publish is made again for up to 10 s.
    /// Returns the trade id of the batch's last tick.
    /// </summary>
    public async Task<long> PublishAsync(int instrument, int count, DateTimeOffset stamp)
    {
        var key = Instruments[instrument];
        var first = lastTrade[instrument] + 1;
        var ticks = new Tick[count];
        for (var i = 0; i < count; i++)
        {
            var trade = first + i;
            ticks[i] = new Tick(key, 100m + (trade % 100 * 0.01m), 1m, trade, stamp, stamp);
        }

        await outboxes[outboxOf[instrument]].SendAsync(new TickBatch(key, ticks));
        Volatile.Write(ref lastTrade[instrument], first + count - 1);
        Interlocked.Add(ref published, count);
        return first + count - 1;
    }

    public async ValueTask DisposeAsync()
    {
        await host.StopAsync();
        host.Dispose();
    }

    /// <summary>One tick stream's sender: whatever batches wait when it is free go out as one round.</summary>
    private sealed class Outbox(IAsyncStream<TickRound> stream, TickFeed feed)
    {
        private readonly List<(TickBatch Batch, TaskCompletionSource Sent)> waiting = [];
        private bool sending;

        public Task SendAsync(TickBatch batch)
        {
            var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (waiting)
            {
                waiting.Add((batch, sent));
                if (sending)
                {
                    return sent.Task;
                }

                sending = true;
            }

            _ = Task.Run(SendWaitingAsync);
            return sent.Task;
        }

        private async Task SendWaitingAsync()
        {
            while (true)
            {
                (TickBatch Batch, TaskCompletionSource Sent)[] round;
                lock (waiting)
                {
                    if (waiting.Count == 0)
                    {
                        sending = false;
                        return;
                    }

                    round = [.. waiting];
                    waiting.Clear();
                }

                var deadline = DateTime.UtcNow + Patience;
                while (true)
                {
                    try
                    {
                        await stream.OnNextAsync(new TickRound([.. round.Select(r => r.Batch)]));
                        Array.ForEach(round, r => r.Sent.TrySetResult());
                        break;
                    }
                    catch (Exception) when (DateTime.UtcNow < deadline)
                    {
                        Interlocked.Increment(ref feed.retries);
                        await Task.Delay(100);
                    }
                    catch (Exception error)
                    {
                        Array.ForEach(round, r => r.Sent.TrySetException(error));
                        break;
                    }
                }
            }
        }
    }
}
