using System.Diagnostics;
using System.Globalization;

namespace PriceActors.Bench;

/// <summary>
/// Where the machine's CPU went while a run recorded: the CPU time (user + system, from <c>/proc/[pid]/stat</c>) of
/// the processes it is given (the bench's, the silos', the gateway's) and PostgreSQL's, and the machine's idle and
/// stolen time (<c>/proc/stat</c>). A process counts when it is alive at both ends of the span (a PostgreSQL connection opened and closed inside it is missed). Linux only; elsewhere
/// it reports that it cannot tell. It also takes a snapshot every second, so the split over the seconds around a stall
/// (<see cref="During"/>) says who had the cores then.
/// </summary>
internal sealed class CpuAccount(params (string Name, int Pid)[] processes)
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(1);
    private readonly List<(long Stamp, Snapshot Snapshot)> seconds = [];
    private readonly CancellationTokenSource stopping = new();
    private Snapshot? start;
    private Task? sampling;

    public void Start()
    {
        start = Take();
        if (File.Exists("/proc/stat"))
        {
            seconds.Add((Stopwatch.GetTimestamp(), start));
            sampling = Task.Run(SampleAsync);
        }
    }

    /// <summary>One line: seconds of CPU per group over the span, beside the span's length times the cores.</summary>
    public string Stop()
    {
        stopping.Cancel();
        sampling?.Wait();
        stopping.Dispose();
        return start is null || !File.Exists("/proc/stat") ? "not measured (needs /proc)" : Split(start, Take());
    }

    /// <summary>The split over the whole seconds sampled that cover Stopwatch timestamps <paramref name="from"/> to <paramref name="to"/>.</summary>
    public string During(long from, long to)
    {
        var first = seconds.FindLastIndex(s => s.Stamp <= from);
        var last = seconds.FindIndex(s => s.Stamp >= to);
        return first < 0 || last < 0 ? "not sampled" : Split(seconds[first].Snapshot, seconds[last].Snapshot, "F2");
    }

    private string Split(Snapshot from, Snapshot to, string format = "F1")
    {
        double Seconds(IEnumerable<int> pids) =>
            pids.Sum(pid => to.Processes.TryGetValue(pid, out var now) && from.Processes.TryGetValue(pid, out var then) ? now - then : 0) / TicksPerSecond;

        var groups = processes.Select(p => (p.Name, Seconds([p.Pid])))
            .Append(("PostgreSQL", Seconds(to.Processes.Keys.Where(p => to.Names[p].StartsWith("postgres", StringComparison.Ordinal)))));
        var elapsed = (to.Total - from.Total) / TicksPerSecond;
        string S(double seconds) => seconds.ToString(format, CultureInfo.InvariantCulture);
        return $"{string.Join(", ", groups.Select(g => $"{g.Item1} {S(g.Item2)} s"))}; idle {S((to.Idle - from.Idle) / TicksPerSecond)} s, stolen {S((to.Steal - from.Steal) / TicksPerSecond)} s, of {S(elapsed)} s ({Environment.ProcessorCount} cores)";
    }

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(Every);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping.Token))
            {
                var snapshot = Take();
                seconds.Add((Stopwatch.GetTimestamp(), snapshot));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private static Snapshot Take()
    {
        var (processes, names) = (new Dictionary<int, long>(), new Dictionary<int, string>());
        foreach (var directory in Directory.Exists("/proc") ? Directory.EnumerateDirectories("/proc") : [])
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                // pid (comm) state ppid ... utime stime: fields 14 and 15, counted after the comm, which may hold spaces.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ');
                processes[pid] = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
                names[pid] = stat[(stat.IndexOf('(') + 1)..close];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Ended meanwhile.
            }
        }

        // cpu  user nice system idle iowait irq softirq steal ...
        var cpu = File.Exists("/proc/stat") ? File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..].Select(long.Parse).ToArray() : new long[8];
        return new Snapshot(processes, names, cpu.Take(8).Sum(), cpu[3] + cpu[4], cpu[7]);
    }

    private sealed record Snapshot(Dictionary<int, long> Processes, Dictionary<int, string> Names, long Total, long Idle, long Steal);
}
