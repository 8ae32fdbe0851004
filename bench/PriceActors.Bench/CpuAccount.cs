using System.Globalization;

namespace PriceActors.Bench;

/// <summary>
/// Where the machine's CPU went while the latency run recorded: the CPU time (user + system, from
/// <c>/proc/[pid]/stat</c>) of the silo's process (this one), the feed's and the gateway's, the broker's (<c>beam.smp</c>)
/// and PostgreSQL's processes, and the machine's idle and stolen time (<c>/proc/stat</c>). A process counts when it is
/// alive at both ends of the span (a PostgreSQL connection opened and closed inside it is missed). Linux only; elsewhere
/// it reports that it cannot tell.
/// </summary>
internal sealed class CpuAccount(params (string Name, int Pid)[] processes)
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on
    private Snapshot? start;

    public void Start() => start = Take();

    /// <summary>One line: seconds of CPU per group over the span, beside the span's length times the cores.</summary>
    public string Stop()
    {
        if (start is null || !File.Exists("/proc/stat"))
        {
            return "not measured (needs /proc)";
        }

        var end = Take();
        double Seconds(IEnumerable<int> pids) =>
            pids.Sum(pid => end.Processes.TryGetValue(pid, out var now) && start.Processes.TryGetValue(pid, out var then) ? now - then : 0) / TicksPerSecond;

        var groups = processes.Select(p => (p.Name, Seconds([p.Pid])))
            .Append(("broker", Seconds(end.Processes.Keys.Where(p => end.Names[p] == "beam.smp"))))
            .Append(("PostgreSQL", Seconds(end.Processes.Keys.Where(p => end.Names[p].StartsWith("postgres", StringComparison.Ordinal)))));
        var elapsed = (end.Total - start.Total) / TicksPerSecond;
        return string.Create(CultureInfo.InvariantCulture, $"{string.Join(", ", groups.Select(g => $"{g.Item1} {g.Item2:F1} s"))}; idle {(end.Idle - start.Idle) / TicksPerSecond:F1} s, stolen {(end.Steal - start.Steal) / TicksPerSecond:F1} s, of {elapsed:F1} s ({Environment.ProcessorCount} cores)");
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
