using System.Globalization;

namespace PriceActors.Bench;

/// <summary>
/// Samples this process's thread pool every millisecond between Start and Stop: how many work items wait
/// (p50, p99, max), how many threads it has (a growing count means work blocked threads and the pool
/// injected more, which stalls everything queued meanwhile), and when the sampling thread itself did not run
/// for over 10 ms (the process stopped for a GC, or got no CPU), marked GC when a collection happened meanwhile.
/// </summary>
internal sealed class ThreadPoolSampler : IDisposable
{
    private readonly List<long> pending = [];
    private readonly List<(double Milliseconds, bool DuringGc)> gaps = [];
    private readonly CancellationTokenSource stop = new();
    private Thread? thread;
    private int threadsAtStart;
    private int maxThreads;

    public void Start()
    {
        threadsAtStart = maxThreads = ThreadPool.ThreadCount;
        thread = new Thread(Sample) { IsBackground = true, Name = "thread pool sampler" };
        thread.Start();
    }

    public string Stop()
    {
        stop.Cancel();
        thread?.Join();
        var sorted = pending.Order().ToArray();
        if (sorted.Length == 0)
        {
            return "no samples";
        }

        var stalls = gaps.OrderByDescending(g => g.Milliseconds).Take(5).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Milliseconds:F0}{(g.DuringGc ? " GC" : "")}"));
        return string.Create(CultureInfo.InvariantCulture, $"work items waiting p50 {Percentiles.Of(sorted, 0.5)}, p99 {Percentiles.Of(sorted, 0.99)}, max {Percentiles.Of(sorted, 1)} ({sorted.Length:N0} samples); threads {threadsAtStart} at start, {maxThreads} at most, {ThreadPool.ThreadCount} at end; sampler stalled > 10 ms {gaps.Count} times, longest {string.Join(", ", stalls)} ms");
    }

    public void Dispose() => stop.Dispose();

    private void Sample()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var (last, collections) = (clock.Elapsed, GC.CollectionCount(0));
        while (!stop.IsCancellationRequested)
        {
            pending.Add(ThreadPool.PendingWorkItemCount);
            maxThreads = Math.Max(maxThreads, ThreadPool.ThreadCount);
            Thread.Sleep(1);
            var (now, count) = (clock.Elapsed, GC.CollectionCount(0));
            if ((now - last).TotalMilliseconds > 10)
            {
                // This thread did not run for a while: the process was stopped (GC) or got no CPU.
                gaps.Add(((now - last).TotalMilliseconds, count != collections));
            }

            (last, collections) = (now, count);
        }
    }
}
