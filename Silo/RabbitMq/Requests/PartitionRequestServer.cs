using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using PriceActors.Grains.Streams;
using PriceActors.Runtime;

namespace PriceActors.Silo.RabbitMq.Requests;

/// <summary>
/// Answers the requests gateways send to the actors of the partitions this silo owns: while it owns
/// tick partition p (<see cref="Start"/> after the fence is claimed, <see cref="StopAsync"/> on release)
/// it consumes the request queue of p, asks the local actor and publishes the reply to the request's
/// reply-to address. A request for a partition it does not serve is handed back to the queue for the
/// owner; a malformed one is answered with an error, counted and logged.
/// </summary>
// A silo learns it owns a partition only from a delivery (the broker does not say); ownership probes
// (PartitionProbePublisher) make sure an idle partition gets one within Cluster:Probes:Interval, so its
// queries are answered within about that long of a hand-over.
public sealed class PartitionRequestServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<int, ServedPartition> served = new();

    /// <summary>Creates the server; nothing is consumed until a partition is started.</summary>
    /// <param name="connection">The process's broker connection.</param>
    /// <param name="actors">This silo's actors (the local runtime).</param>
    /// <param name="streams">The partition count.</param>
    /// <param name="options">Concurrency and timeouts.</param>
    /// <param name="statistics">Counters.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="time">Clock of retries and waits.</param>
    public PartitionRequestServer(
        RabbitMqConnection connection,
        IActorTransport actors,
        IOptions<StreamOptions> streams,
        IOptions<RabbitMqRequestOptions> options,
        RequestStatistics statistics,
        ILogger<PartitionRequestServer> logger,
        TimeProvider time)
    {
        Time = time;
        Connection = connection;
        Actors = actors;
        PartitionCount = streams.Value.PartitionCount;
        Options = options.Value;
        Statistics = statistics;
        Logger = logger;
    }

    /// <summary>The partitions whose requests this silo serves now.</summary>
    public IReadOnlyCollection<int> Partitions => [.. served.Keys];

    internal RabbitMqConnection Connection { get; }

    internal IActorTransport Actors { get; }

    internal int PartitionCount { get; }

    internal RabbitMqRequestOptions Options { get; }

    internal RequestStatistics Statistics { get; }

    internal ILogger Logger { get; }

    internal TimeProvider Time { get; }

    /// <summary>Starts serving a partition's requests in the background (the caller may be a broker callback); idempotent.</summary>
    /// <param name="partition">The partition this silo now owns.</param>
    public void Start(int partition)
    {
        var serving = new ServedPartition(this, partition);
        if (served.TryAdd(partition, serving))
        {
            serving.Start();
        }
    }

    /// <summary>Stops serving a partition: no new request is taken, those in progress are answered, the rest go back to the queue.</summary>
    /// <param name="partition">The partition this silo no longer owns.</param>
    public async Task StopAsync(int partition)
    {
        if (served.TryRemove(partition, out var serving))
        {
            await serving.StopAsync();
        }
    }

    /// <summary>Stops serving every partition.</summary>
    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(served.Keys.Select(StopAsync));
    }

    internal bool Serves(int partition, ServedPartition serving) =>
        served.TryGetValue(partition, out var current) && ReferenceEquals(current, serving);

    internal bool IsInPartition(string key, int partition, out string? error)
    {
        if (!Grains.InstrumentKey.TryParse(key, out var instrument, out error))
        {
            return false;
        }

        var owner = PartitionMap.PartitionOf(instrument, PartitionCount);
        error = owner == partition
            ? null
            : $"{instrument} is in partition {owner} of {PartitionCount}, not {partition}: do the gateway and silos agree on Streams:PartitionCount?";
        return error is null;
    }
}
