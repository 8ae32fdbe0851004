using System.Diagnostics;

namespace PriceActors.Bench;

/// <summary>
/// Tick → gateway latency at a paced rate: the feed offers <see cref="ClusterSettings.Rate"/> ticks/s spread evenly over
/// the instruments, each instrument publishing what fell due every <see cref="ClusterSettings.Interval"/> ms (one batch
/// in flight per instrument; the instruments take turns in ten slots of the interval), each tick stamped with its
/// batch's publish time; a hub client on the gateway subscribed to every instrument receives the updates.
/// </summary>
internal static class LatencyRun
{
    private const int Slots = 10;
    private static readonly TimeSpan CatchUpPatience = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan PrimePatience = TimeSpan.FromSeconds(90);

    public static async Task<LatencyResult> RunAsync(BenchCluster cluster, ClusterSettings settings, CancellationToken cancellationToken)
    {
        var feed = cluster.Feed;
        var recorder = new LatencyRecorder(feed.Instruments);
        var hub = await HubClient.ConnectAsync(new Uri(cluster.Gateway.Address, "/hubs/prices"), recorder.OnUpdate, cancellationToken);
        try
        {
            await hub.SubscribeAsync([.. feed.Instruments.Select(i => i.Value)], cancellationToken);
            var primed = await PrimeAsync(feed, recorder, hub, cancellationToken);
            using var publishing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var pacing = PaceAsync(feed, recorder, settings, publishing.Token);
            await Task.Delay(TimeSpan.FromSeconds(settings.Warmup), cancellationToken);

            var cpu = cluster.Cpu();
            cpu.Start();
            var (from, publishedFrom) = (DateTimeOffset.UtcNow.UtcTicks, feed.Published);
            var backlog = await SampleBacklogAsync(cluster, TimeSpan.FromSeconds(settings.Seconds), cancellationToken);
            var (to, publishedTo) = (DateTimeOffset.UtcNow.UtcTicks, feed.Published);
            var cpuLine = cpu.Stop();
            await publishing.CancelAsync();
            await pacing;

            var caughtUp = await CatchUpAsync(feed, recorder, hub, CatchUpPatience, cancellationToken);
            var seconds = (to - from) / (double)TimeSpan.TicksPerSecond;
            return new LatencyResult(
                recorder.Analyze(from, to), (publishedTo - publishedFrom) / seconds, seconds, primed, hub.Updates, caughtUp is not null, hub.Failure?.Message, backlog, cpuLine);
        }
        finally
        {
            await hub.DisposeAsync();
        }
    }

    /// <summary>
    /// Samples, every 250 ms for <paramref name="span"/>, how many published ticks are not yet durable (stored by their
    /// pairs): the tick path's share of the latency. Returns the largest and the mean sample.
    /// </summary>
    private static async Task<(long Max, long Mean)> SampleBacklogAsync(BenchCluster cluster, TimeSpan span, CancellationToken cancellationToken)
    {
        var (max, sum, samples) = (0L, 0L, 0L);
        var until = Stopwatch.StartNew();
        while (until.Elapsed < span)
        {
            var published = cluster.Feed.Published;
            var behind = Math.Max(0, published - await cluster.DurableTicksAsync(cancellationToken));
            (max, sum, samples) = (Math.Max(max, behind), sum + behind, samples + 1);
            var rest = span - until.Elapsed;
            await Task.Delay(rest < TimeSpan.FromMilliseconds(250) ? rest.Duration() : TimeSpan.FromMilliseconds(250), cancellationToken);
        }

        return (max, samples == 0 ? 0 : sum / samples);
    }

    /// <summary>
    /// One tick to every instrument, then waits until the hub client has its update: every pair is active and every
    /// update stream reaches the gateway before the warm-up. Returns how long that took (the cluster's cold start).
    /// </summary>
    private static async Task<TimeSpan> PrimeAsync(TickFeed feed, LatencyRecorder recorder, HubClient hub, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        await Task.WhenAll(feed.Instruments.Select((_, n) => PublishAsync(feed, recorder, n, 1)));
        _ = await CatchUpAsync(feed, recorder, hub, PrimePatience, cancellationToken)
            ?? throw new TimeoutException($"Not every instrument's first tick reached the hub client within {PrimePatience.TotalSeconds:F0} s{(hub.Failure is null ? "" : $": {hub.Failure.Message}")}.");
        return started.Elapsed;
    }

    /// <summary>Waits until the hub client has seen the last tick the feed published of every instrument; null if it did not within <paramref name="patience"/>.</summary>
    private static async Task<TimeSpan?> CatchUpAsync(TickFeed feed, LatencyRecorder recorder, HubClient hub, TimeSpan patience, CancellationToken cancellationToken)
    {
        long[] lastTrades = [.. feed.Instruments.Select((_, n) => feed.LastTradeOf(n))];
        var waited = Stopwatch.StartNew();
        while (!recorder.Covered(lastTrades))
        {
            if (waited.Elapsed > patience || hub.Failure is not null)
            {
                return null;
            }

            await Task.Delay(100, cancellationToken);
        }

        return waited.Elapsed;
    }

    private static async Task PaceAsync(TickFeed feed, LatencyRecorder recorder, ClusterSettings settings, CancellationToken cancellationToken)
    {
        var count = feed.Instruments.Count;
        var perInstrument = settings.Rate / (double)count;
        var handed = new long[count];
        var inFlight = Enumerable.Repeat(Task.CompletedTask, count).ToArray();
        var started = Stopwatch.GetTimestamp();
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(settings.Interval) / Slots);
        try
        {
            for (var slot = 0; await timer.WaitForNextTickAsync(cancellationToken); slot = (slot + 1) % Slots)
            {
                var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
                for (var n = slot; n < count; n += Slots)
                {
                    // Offset by instrument, so that at low rates the instruments do not all get their first tick at once.
                    var due = (long)((perInstrument * elapsed) + (n / (double)count));
                    if (inFlight[n].IsFaulted)
                    {
                        await inFlight[n];
                    }

                    if (inFlight[n].IsCompleted && due > handed[n])
                    {
                        inFlight[n] = PublishAsync(feed, recorder, n, (int)(due - handed[n]));
                        handed[n] = due;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Measured span over.
        }

        await Task.WhenAll(inFlight);
    }

    private static async Task PublishAsync(TickFeed feed, LatencyRecorder recorder, int instrument, int count)
    {
        var stamp = DateTimeOffset.UtcNow;
        var last = await feed.PublishAsync(instrument, count, stamp);
        recorder.Published(instrument, last, stamp.UtcTicks, DateTimeOffset.UtcNow.UtcTicks);
    }
}
