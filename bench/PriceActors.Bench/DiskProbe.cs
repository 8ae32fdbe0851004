using System.Diagnostics;
using System.Globalization;

namespace PriceActors.Bench;

/// <summary>
/// How long the disk makes a durable write wait while the latency run records: every 50 ms it appends 4 KiB to a file
/// of its own and flushes it to disk (<c>fsync</c>), as the broker's quorum-queue log does with every batch it writes. The
/// file is in <c>BENCH_PROBE_DIR</c> (default: the temporary directory, where scripts/servers.sh keeps both servers).
/// <para>
/// On one ext4 disk shared by the broker and PostgreSQL, a flush can wait for the writeback of the other process's dirty
/// pages: with the kernel's default writeback thresholds these flushes stalled 100–400 ms (bench/README.md, session 9),
/// which is what the broker's confirms and deliveries waited for. The figures printed beside each run show it.
/// </para>
/// </summary>
internal sealed class DiskProbe : IDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(50);
    private readonly List<double> milliseconds = [];
    private readonly CancellationTokenSource stop = new();
    private readonly string path = Path.Combine(
        Environment.GetEnvironmentVariable("BENCH_PROBE_DIR") ?? Path.GetTempPath(), $"priceactors-bench-probe-{Environment.ProcessId}");

    private Task? probing;

    public void Start() => probing = Task.Factory.StartNew(Probe, TaskCreationOptions.LongRunning);

    /// <summary>Stops probing; the flushes' p50, p99 and max, and how many took over 20 ms.</summary>
    public string Stop()
    {
        stop.Cancel();
        probing?.Wait();
        var sorted = milliseconds.Order().ToArray();
        return sorted.Length == 0
            ? "no flushes"
            : string.Create(CultureInfo.InvariantCulture, $"4 KiB append + fsync every {Every.TotalMilliseconds:F0} ms in {Path.GetDirectoryName(path)}: p50 {Percentiles.Of(sorted, 0.5):F1}, p99 {Percentiles.Of(sorted, 0.99):F1}, max {Percentiles.Of(sorted, 1):F1} ms, {sorted.Count(m => m > 20)} of {sorted.Length} over 20 ms");
    }

    public void Dispose()
    {
        stop.Cancel();
        probing?.Wait();
        stop.Dispose();
        File.Delete(path);
    }

    private void Probe()
    {
        var block = new byte[4096];
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 0);
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            file.Write(block);
            file.Flush(flushToDisk: true);
            milliseconds.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            stop.Token.WaitHandle.WaitOne(Every);
        }
    }
}
