using System.Diagnostics;

namespace PriceActors.Bench;

/// <summary>
/// Cluster ingest: every instrument publishes batches of <see cref="ClusterSettings.Batch"/> ticks one after the other,
/// all instruments at once, at most <see cref="ClusterSettings.InFlight"/> batches in flight in all, and no more than
/// <see cref="ClusterSettings.Backlog"/> ticks ahead of what is durable (0: no bound). The figure is the rise of the
/// durable ticks (<see cref="BenchCluster.DurableTicksAsync"/>) over the measured span.
/// </summary>
internal static class IngestRun
{
    private static readonly TimeSpan DrainPatience = TimeSpan.FromSeconds(120);

    public static async Task<IngestResult> RunAsync(BenchCluster cluster, ClusterSettings settings, CancellationToken cancellationToken)
    {
        var feed = cluster.Feed;
        using var publishing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var slots = new SemaphoreSlim(settings.InFlight);
        var backlog = new BacklogGate(cluster, settings.Backlog);
        var watching = backlog.WatchAsync(publishing.Token);
        var publishers = feed.Instruments.Select((_, n) => PublishAsync(feed, n, settings.Batch, slots, backlog, publishing.Token)).ToArray();
        await Task.Delay(TimeSpan.FromSeconds(settings.Warmup), cancellationToken);

        var cpu = cluster.Cpu();
        cpu.Start();
        var start = await SampleAsync(cluster, cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(settings.Seconds), cancellationToken);
        var end = await SampleAsync(cluster, cancellationToken);
        var cpuLine = cpu.Stop();
        await publishing.CancelAsync();
        await Task.WhenAll([.. publishers, watching]);

        var drained = await cluster.DrainAsync(DrainPatience, cancellationToken);
        var seconds = (end.At - start.At).TotalSeconds;
        return new IngestResult(
            (end.Durable - start.Durable) / seconds,
            (end.Published - start.Published) / seconds,
            seconds,
            end.Published - end.Durable,
            backlog.Waits,
            drained,
            feed.Published - await cluster.DurableTicksAsync(cancellationToken),
            cpuLine);
    }

    private static async Task PublishAsync(TickFeed feed, int instrument, int batch, SemaphoreSlim slots, BacklogGate backlog, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await backlog.WhenOpen.WaitAsync(cancellationToken);
                await slots.WaitAsync(cancellationToken);
                try
                {
                    // Not cancelled midway: a batch handed to the stream is counted once it is taken.
                    await feed.PublishAsync(instrument, batch, DateTimeOffset.UtcNow);
                }
                finally
                {
                    slots.Release();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Measured span over.
        }
    }

    /// <summary>Durable and published ticks at one moment; the query's midpoint stands for the moment.</summary>
    private static async Task<(DateTime At, long Durable, long Published)> SampleAsync(BenchCluster cluster, CancellationToken cancellationToken)
    {
        var before = DateTime.UtcNow;
        var published = cluster.Feed.Published;
        var durable = await cluster.DurableTicksAsync(cancellationToken);
        return (before + ((DateTime.UtcNow - before) / 2), durable, published);
    }

    /// <summary>Holds the publishers while the feed is more than <c>limit</c> ticks ahead of the durable ticks (checked every 100 ms).</summary>
    private sealed class BacklogGate(BenchCluster cluster, int limit)
    {
        private TaskCompletionSource open = Opened();

        public Task WhenOpen => Volatile.Read(ref open).Task;

        /// <summary>How many checks found the feed too far ahead.</summary>
        public int Waits { get; private set; }

        public async Task WatchAsync(CancellationToken cancellationToken)
        {
            if (limit == 0)
            {
                return;
            }

            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            try
            {
                while (await timer.WaitForNextTickAsync(cancellationToken))
                {
                    var ahead = cluster.Feed.Published - await cluster.DurableTicksAsync(cancellationToken);
                    var current = Volatile.Read(ref open);
                    if (ahead <= limit)
                    {
                        current.TrySetResult();
                    }
                    else if (current.Task.IsCompleted)
                    {
                        Waits++;
                        Volatile.Write(ref open, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
                    }
                    else
                    {
                        Waits++;
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Measured span over.
            }
            finally
            {
                Volatile.Read(ref open).TrySetResult();
            }
        }

        private static TaskCompletionSource Opened()
        {
            var opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            opened.SetResult();
            return opened;
        }
    }
}
