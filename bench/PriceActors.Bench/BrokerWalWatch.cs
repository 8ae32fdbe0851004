using System.Diagnostics;
using System.Globalization;

namespace PriceActors.Bench;

/// <summary>
/// When the broker rolled its quorum queues' write-ahead log over while the latency run recorded. Ra (the broker's Raft
/// library) appends every queue's entries to one WAL file and keeps them in memory until that file reaches
/// <c>raft.wal_max_size_bytes</c> (512 MiB by default); then it opens the next file, writes the entries still needed
/// to each queue's segment files and deletes the old one. Every roll-over measured came with a delivery stall of
/// 0.2–0.6 s, whatever the file's size (bench/README.md). Read every 100 ms from the WAL file the broker's process
/// (<c>beam.smp</c>) holds open under <c>/proc</c>; on Linux, as root or the broker's user, else it says it cannot tell.
/// </summary>
internal sealed class BrokerWalWatch : IDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(10);
    private readonly List<(long Stamp, string File)> rollOvers = [];
    private readonly CancellationTokenSource stop = new();
    private int[] brokers = [];
    private long started;
    private bool seen;
    private Task? watching;

    public void Start()
    {
        started = Stopwatch.GetTimestamp();
        brokers = Directory.Exists("/proc") ? [.. Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Select(d => int.TryParse(d, out var pid) ? pid : 0).Where(IsBroker)] : [];
        watching = Task.Factory.StartNew(Watch, TaskCreationOptions.LongRunning);
    }

    /// <summary>Stops watching; when each roll-over came, in wall-clock time and in the recording's 10 s slices.</summary>
    public string Stop()
    {
        stop.Cancel();
        watching?.Wait();
        if (!seen)
        {
            return "not watched (no broker process with a quorum WAL readable in /proc)";
        }

        return rollOvers.Count == 0
            ? "no quorum WAL roll-over"
            : $"quorum WAL rolled over {rollOvers.Count} time(s): " + string.Join(", ", rollOvers.Select(r => string.Create(
                CultureInfo.InvariantCulture,
                $"{Wall(r.Stamp):HH:mm:ss.f} UTC (slice {(int)(Stopwatch.GetElapsedTime(started, r.Stamp) / Slice) + 1}, to {r.File})")));
    }

    /// <summary>The roll-overs seen from one second before <paramref name="from"/> to <paramref name="to"/> (Stopwatch timestamps), or an empty string.</summary>
    public string Between(long from, long to)
    {
        var near = rollOvers.Where(r => r.Stamp >= from - Stopwatch.Frequency && r.Stamp <= to).ToArray();
        return near.Length == 0
            ? string.Empty
            : "; the broker rolled its quorum WAL over " + string.Join(" and ", near.Select(r => string.Create(CultureInfo.InvariantCulture, $"{Stopwatch.GetElapsedTime(r.Stamp, to).TotalSeconds:F2} s before the end")));
    }

    public void Dispose()
    {
        stop.Cancel();
        watching?.Wait();
        stop.Dispose();
    }

    private static DateTimeOffset Wall(long stamp) => DateTimeOffset.UtcNow - Stopwatch.GetElapsedTime(stamp);

    private static bool IsBroker(int pid)
    {
        try
        {
            return pid > 0 && File.ReadAllText($"/proc/{pid}/comm").Trim() == "beam.smp";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>The quorum WAL files the brokers hold open (the coordination system has a WAL of its own, left out).</summary>
    private HashSet<string> OpenWals()
    {
        var files = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pid in brokers)
        {
            try
            {
                foreach (var fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
                {
                    if (new FileInfo(fd).LinkTarget is { } target && target.EndsWith(".wal", StringComparison.Ordinal) && target.Contains("/quorum/", StringComparison.Ordinal))
                    {
                        files.Add(Path.GetFileName(target));
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Ended, closed meanwhile, or not ours to read.
            }
        }

        return files;
    }

    private void Watch()
    {
        var last = OpenWals();
        seen = last.Count > 0;
        while (!stop.Token.WaitHandle.WaitOne(Every))
        {
            var now = OpenWals();
            seen |= now.Count > 0;
            rollOvers.AddRange(now.Where(f => last.Count > 0 && !last.Contains(f)).Select(f => (Stopwatch.GetTimestamp(), f)));
            last = now.Count > 0 ? now : last;
        }
    }
}
