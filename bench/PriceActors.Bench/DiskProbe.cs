using System.Diagnostics;
using System.Globalization;

namespace PriceActors.Bench;

/// <summary>
/// How long the disk makes a durable write wait while the latency run records: every 50 ms it appends 4 KiB to a file
/// of its own and flushes it to disk (<c>fsync</c>), as the broker's quorum-queue log does with every batch it writes. The
/// file is in <c>BENCH_PROBE_DIR</c> (default: the temporary directory, where scripts/servers.sh keeps both servers).
/// <para>
/// On one ext4 disk shared by the broker and PostgreSQL, a flush can wait for the writeback of the other process's dirty
/// pages: with the kernel's default writeback thresholds these flushes stalled 100–400 ms (bench/README.md),
/// which is what the broker's confirms and deliveries waited for. The figures printed beside each run show it.
/// </para>
/// <para>
/// It also says how much the disks discarded meanwhile (<c>/proc/diskstats</c>): with a file system mounted with
/// <c>discard</c>, deleting a large file sends the device a discard that the next flushes wait for (about 100 ms for
/// 512 MiB on this VM's idle disk).
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
    private (long Requests, long Sectors, long Milliseconds) discardsAtStart;

    public void Start()
    {
        discardsAtStart = Discards();
        probing = Task.Factory.StartNew(Probe, TaskCreationOptions.LongRunning);
    }

    /// <summary>Stops probing; the flushes' p50, p99 and max, and how many took over 20 ms.</summary>
    public string Stop()
    {
        stop.Cancel();
        probing?.Wait();
        var sorted = milliseconds.Order().ToArray();
        var end = Discards();
        var discarded = string.Create(CultureInfo.InvariantCulture, $"; the disks discarded {(end.Sectors - discardsAtStart.Sectors) * 512 / 1048576.0:F1} MiB in {end.Requests - discardsAtStart.Requests} requests taking {end.Milliseconds - discardsAtStart.Milliseconds} ms");
        return sorted.Length == 0
            ? "no flushes" + discarded
            : string.Create(CultureInfo.InvariantCulture, $"4 KiB append + fsync every {Every.TotalMilliseconds:F0} ms in {Path.GetDirectoryName(path)}: p50 {Percentiles.Of(sorted, 0.5):F1}, p99 {Percentiles.Of(sorted, 0.99):F1}, max {Percentiles.Of(sorted, 1):F1} ms, {sorted.Count(m => m > 20)} of {sorted.Length} over 20 ms") + discarded;
    }

    /// <summary>Discard requests completed, sectors discarded and milliseconds spent discarding, over the whole disks (not loop, RAM or zram devices).</summary>
    private static (long Requests, long Sectors, long Milliseconds) Discards()
    {
        if (!File.Exists("/proc/diskstats"))
        {
            return default;
        }

        // major minor name, then 11 fields of reads, writes and I/O time, then discards completed, merged, sectors, ms.
        var disks = File.ReadLines("/proc/diskstats")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(f => f.Length >= 18 && Directory.Exists("/sys/block/" + f[2]) && !f[2].StartsWith("loop", StringComparison.Ordinal) && !f[2].StartsWith("ram", StringComparison.Ordinal) && !f[2].StartsWith("zram", StringComparison.Ordinal))
            .ToArray();
        long Sum(int field) => disks.Sum(f => long.Parse(f[field], CultureInfo.InvariantCulture));
        return (Sum(14), Sum(16), Sum(17));
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
