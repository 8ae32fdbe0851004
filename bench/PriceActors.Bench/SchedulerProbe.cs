using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PriceActors.Bench;

/// <summary>
/// How late the machine wakes a thread while the latency run records: in a child process of its own (it allocates
/// nothing while it measures, so no GC pauses it), two threads sleep 1 ms at a time and note how much later than that
/// they run again. One has the ordinary priority every process of the cluster runs with: its delays are what any hop of
/// a tick can wait for a core. The other runs at real-time priority (<c>SCHED_FIFO</c>), which no ordinary thread can
/// keep off a core, so what delays it is the machine itself: a kernel section that cannot be preempted (this VM's kernel
/// runs without kernel preemption) or the hypervisor not running the virtual CPU. Each line gives the p99 and the
/// maximum, and the maximum of each 10 s as the gateway slices the tick latencies.
/// </summary>
internal sealed class SchedulerProbe : IDisposable
{
    private const int SchedFifo = 1;
    private static readonly TimeSpan Slice = TimeSpan.FromSeconds(10);
    private readonly Process child;

    private SchedulerProbe(Process child) => this.child = child;

    /// <summary>Starts the probe's process, whose threads sleep and wake but note nothing before <see cref="BeginAsync"/>.</summary>
    public static SchedulerProbe Start() => new(ClusterBenchmark.StartChild(redirectInput: true, "probe-scheduler"));

    /// <summary>The probe's process id.</summary>
    public int Id => child.Id;

    /// <summary>Starts noting delays, and the first 10 s slice.</summary>
    public async Task BeginAsync()
    {
        await child.StandardInput.WriteLineAsync("START");
        await child.StandardInput.FlushAsync();
    }

    /// <summary>Stops measuring; one line per thread.</summary>
    public async Task<IReadOnlyList<string>> StopAsync()
    {
        child.StandardInput.Close();
        var lines = new List<string>();
        while (await child.StandardOutput.ReadLineAsync() is { } line)
        {
            lines.Add(line);
        }

        await child.WaitForExitAsync();
        return lines;
    }

    public void Dispose()
    {
        if (!child.HasExited)
        {
            child.Kill();
        }

        child.Dispose();
    }

    /// <summary>The child process: notes delays from a line on standard input to its end, then prints a line per thread.</summary>
    public static int Run()
    {
        using var stop = new ManualResetEventSlim();
        var begun = new StrongBox<long>();
        Sleeper[] sleepers = [new(realTime: false, begun, stop), new(realTime: true, begun, stop)];
        var threads = sleepers.Select(s => new Thread(s.Run) { IsBackground = true }).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        if (Console.ReadLine() is not null)
        {
            Volatile.Write(ref begun.Value, Stopwatch.GetTimestamp());
            while (Console.ReadLine() is not null)
            {
            }
        }

        var measured = begun.Value == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(begun.Value);
        stop.Set();
        foreach (var thread in threads)
        {
            thread.Join();
        }

        foreach (var sleeper in sleepers)
        {
            Console.WriteLine(sleeper.Report(measured));
        }

        return 0;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int sched_setscheduler(int pid, int policy, ref int priority);

    /// <summary>One sleeping thread's delays, kept in arrays made before it starts.</summary>
    private sealed class Sleeper(bool realTime, StrongBox<long> begun, ManualResetEventSlim stop)
    {
        private readonly double[] late = new double[400_000];
        private readonly double[] sliceMax = new double[64];
        private int count;
        private int slices;
        private string? refused;

        public void Run()
        {
            if (realTime)
            {
                var priority = 50;
                if (sched_setscheduler(0, SchedFifo, ref priority) != 0)
                {
                    refused = $"real-time priority refused (errno {Marshal.GetLastPInvokeError()})";
                    return;
                }
            }

            var before = Stopwatch.GetTimestamp();
            while (!stop.IsSet)
            {
                Thread.Sleep(1);
                var now = Stopwatch.GetTimestamp();
                var delay = Stopwatch.GetElapsedTime(before, now).TotalMilliseconds - 1;
                before = now;
                var started = Volatile.Read(ref begun.Value);
                if (started == 0 || now < started)
                {
                    continue;
                }

                var slice = (int)Math.Min(sliceMax.Length - 1, Stopwatch.GetElapsedTime(started, now) / Slice);
                sliceMax[slice] = Math.Max(sliceMax[slice], delay);
                slices = Math.Max(slices, slice + 1);
                if (count < late.Length)
                {
                    late[count++] = delay;
                }
            }
        }

        /// <param name="measured">From the start to the end of the measuring: the few hundred ms past its last whole 10 s
        /// (the bench stops the probe once the gateway has stopped) count in that last slice, as one slice too many would
        /// not line up with the gateway's.</param>
        public string Report(TimeSpan measured)
        {
            var whole = (int)(measured / Slice);
            if (whole > 0 && slices > whole)
            {
                sliceMax[whole - 1] = sliceMax.AsSpan(whole - 1, slices - whole + 1).ToArray().Max();
                slices = whole;
            }

            var who = realTime ? "real-time thread" : "ordinary thread";
            if (refused is not null || count == 0)
            {
                return $"{who}: {refused ?? "no wake-ups"}";
            }

            var sorted = late.AsSpan(0, count).ToArray();
            Array.Sort(sorted);
            return string.Create(
                CultureInfo.InvariantCulture,
                $"{who} sleeping 1 ms woke late by p50 {Percentiles.Of(sorted, 0.5):F2}, p99 {Percentiles.Of(sorted, 0.99):F1}, max {sorted[^1]:F1} ms, {sorted.Count(d => d > 20)} of {count} over 20 ms; max of each 10 s: {string.Join(", ", sliceMax.Take(slices).Select(m => m.ToString("F1", CultureInfo.InvariantCulture)))} ms");
        }
    }
}
