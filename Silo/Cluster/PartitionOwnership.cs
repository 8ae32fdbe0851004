using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Npgsql;
using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Runtime;
using PriceActors.Silo.Membership;
using PriceActors.Silo.Postgres;
using PriceActors.Silo.RabbitMq;
using PriceActors.Silo.RabbitMq.Requests;

namespace PriceActors.Silo.Cluster;

/// <summary>
/// What a silo does when the broker makes it a partition's active consumer, or takes that away:
/// on acquiring, it drops any stale activation of the partition's pairs and claims the partition's
/// fence (so a previous owner that froze can no longer write); on releasing, it forgets the token and
/// deactivates the partition's pairs, whose state the next owner rebuilds from PostgreSQL. While it owns
/// a partition it also answers the requests sent to the partition's actors. The owned partitions go
/// into the membership heartbeats.
/// </summary>
public sealed partial class PartitionOwnership : IPartitionLifecycle
{
    private static readonly string PairType = ActorTypeAttribute.NameOf(typeof(IPairActor));
    private readonly ConcurrentDictionary<int, long> owned = new();
    private readonly IPartitionFence fence;
    private readonly ActorRuntime runtime;
    private readonly SiloIdentity silo;
    private readonly int partitionCount;
    private readonly ILogger<PartitionOwnership> logger;
    private readonly PartitionRequestServer? requests;
    private readonly OpenBarReader? openBars;

    /// <summary>Creates the lifecycle.</summary>
    /// <param name="fence">The partition fence.</param>
    /// <param name="runtime">This silo's actors.</param>
    /// <param name="silo">This silo.</param>
    /// <param name="streams">The partition count.</param>
    /// <param name="logger">Where ownership changes are logged.</param>
    /// <param name="requests">Answers requests to the owned partitions' actors; none in tests of ownership alone.</param>
    /// <param name="openBars">Finds pairs whose last bar is still open, woken on acquiring; none in tests of ownership alone.</param>
    public PartitionOwnership(
        IPartitionFence fence,
        ActorRuntime runtime,
        SiloIdentity silo,
        IOptions<StreamOptions> streams,
        ILogger<PartitionOwnership> logger,
        PartitionRequestServer? requests = null,
        OpenBarReader? openBars = null)
    {
        this.openBars = openBars;
        this.requests = requests;
        this.fence = fence;
        this.runtime = runtime;
        this.silo = silo;
        this.logger = logger;
        partitionCount = streams.Value.PartitionCount;
    }

    /// <summary>The partitions this silo owns now, with their owner epochs.</summary>
    public IReadOnlyDictionary<int, long> Owned => owned;

    /// <inheritdoc/>
    public async ValueTask OnAcquiredAsync(int partition)
    {
        await DeactivatePairsAsync(partition);
        var epoch = await ClaimWithRetryAsync(partition);
        owned[partition] = epoch;
        requests?.Start(partition);
        LogAcquired(silo.Id, partition, epoch);
        if (openBars is not null)
        {
            // In the background: the delivery that revealed the ownership waits for nothing but the claim.
            _ = Task.Run(() => WakeOpenBarsAsync(partition, epoch));
        }
    }

    /// <summary>
    /// Activates the partition's pairs whose last bar the previous owner left open: activation closes a bar
    /// that is due and sets the close timer of one that is not, even if the pair never trades again.
    /// </summary>
    private async Task WakeOpenBarsAsync(int partition, long epoch)
    {
        IReadOnlyList<InstrumentKey> open;
        try
        {
            open = [.. (await openBars!.ListAsync(CancellationToken.None)).Where(key => PartitionMap.PartitionOf(key, partitionCount) == partition)];
        }
        catch (Exception error)
        {
            // The bars still close with the pairs' next trades or the next owner's wake.
            LogWakeFailed(error, partition, "listing the pairs");
            return;
        }

        // A few at a time: each activation loads its pair's window from PostgreSQL.
        var woken = 0;
        await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, _) =>
        {
            if (!owned.TryGetValue(partition, out var current) || current != epoch)
            {
                return;
            }

            try
            {
                await runtime.GetActor<IPairActor>(key.Value).AskAsync(GetLatestPrice.Instance);
                Interlocked.Increment(ref woken);
            }
            catch (Exception error)
            {
                LogWakeFailed(error, partition, key.Value);
            }
        });
        if (open.Count > 0)
        {
            LogWoken(partition, woken, open.Count);
        }
    }

    /// <inheritdoc/>
    public async ValueTask OnReleasedAsync(int partition)
    {
        // Answer what is in progress before the pairs go; later requests wait in the queue for the next owner.
        if (requests is not null)
        {
            await requests.StopAsync(partition);
        }

        fence.Release(partition);
        owned.TryRemove(partition, out _);
        var deactivated = await DeactivatePairsAsync(partition);
        LogReleased(silo.Id, partition, deactivated);
    }

    private async ValueTask<long> ClaimWithRetryAsync(int partition)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await fence.ClaimAsync(partition, silo.Id, CancellationToken.None);
            }
            catch (Exception error) when (attempt < 5 && error is NpgsqlException or TimeoutException)
            {
                // Without the claim every write of the partition is refused; a short outage is worth waiting out.
                LogClaimRetry(error, partition, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
            }
        }
    }

    private Task<int> DeactivatePairsAsync(int partition) =>
        runtime.DeactivateWhereAsync(id =>
            id.Type == PairType
            && InstrumentKey.TryParse(id.Key, out var instrument, out _)
            && PartitionMap.PartitionOf(instrument, partitionCount) == partition);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Information, Message = "Silo {SiloId} owns partition {Partition} (owner epoch {Epoch})")]
    private partial void LogAcquired(string siloId, int partition, long epoch);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Information, Message = "Silo {SiloId} released partition {Partition}; {Deactivated} pairs deactivated")]
    private partial void LogReleased(string siloId, int partition, int deactivated);

    [LoggerMessage(EventId = 7004, Level = LogLevel.Information, Message = "Partition {Partition}: woke {Woken} of {Pairs} pairs whose last minute bar was left open")]
    private partial void LogWoken(int partition, int woken, int pairs);

    [LoggerMessage(EventId = 7005, Level = LogLevel.Warning, Message = "Partition {Partition}: waking the pairs with an open minute bar failed at {Step}")]
    private partial void LogWakeFailed(Exception error, int partition, string step);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Claiming partition {Partition} failed (attempt {Attempt}); retrying")]
    private partial void LogClaimRetry(Exception error, int partition, int attempt);
}
