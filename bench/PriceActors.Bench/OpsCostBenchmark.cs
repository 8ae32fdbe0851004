using System.Diagnostics;
using PriceActors.Grains.Ops;

namespace PriceActors.Bench;

/// <summary>
/// What the operations view's collection costs on the hot path: nanoseconds per <see cref="SiloActivity.Delivered"/>
/// (once per tick-stream delivery of a router) and per <see cref="SiloActivity.Accepted"/> (once per batch of trades a
/// pair takes), on one thread and on every core at once over the same streams and pairs (their locks contended).
/// A tick costs at most one call of each, less when deliveries and batches carry several ticks.
/// </summary>
internal static class OpsCostBenchmark
{
    private const int Streams = 12;
    private const int Pairs = 15;

    public static int Run(string[] args)
    {
        var calls = args.Length > 0 ? int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : 20_000_000;
        var streams = Enumerable.Range(0, Streams).Select(i => $"exchange{i % 3}/{i / 3}").ToArray();
        var pairs = Enumerable.Range(0, Pairs).Select(i => $"exchange{i % 3}:SYMBOL{i / 3}USDT").ToArray();
        var threads = Environment.ProcessorCount;
        Console.WriteLine($"{calls:N0} calls per run, {Streams} streams, {Pairs} pairs, {threads} cores");
        // As the callers do: a router reads the clock for the lag, a pair passes its last trade's time.
        var traded = DateTimeOffset.UtcNow;
        for (var round = 1; round <= 3; round++)
        {
            var delivered = Measure(1, calls, i => SiloActivity.Delivered(streams[i % Streams], 64, traded, DateTimeOffset.UtcNow));
            var accepted = Measure(1, calls, i => SiloActivity.Accepted(pairs[i % Pairs], 16, traded));
            var deliveredContended = Measure(threads, calls, i => SiloActivity.Delivered(streams[i % Streams], 64, traded, DateTimeOffset.UtcNow));
            var acceptedContended = Measure(threads, calls, i => SiloActivity.Accepted(pairs[i % Pairs], 16, traded));
            Console.WriteLine(
                $"round {round}: Delivered {delivered:F1} ns, Accepted {accepted:F1} ns (one thread); "
                + $"Delivered {deliveredContended:F1} ns, Accepted {acceptedContended:F1} ns (CPU per call, {threads} threads at once)");
        }

        return 0;
    }

    /// <summary>CPU nanoseconds per call of <paramref name="call"/>, <paramref name="calls"/> calls split over <paramref name="threads"/> threads.</summary>
    private static double Measure(int threads, int calls, Action<int> call)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            for (var i = t; i < calls; i += threads)
            {
                call(i);
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        workers.ForEach(w => w.Join());
        return (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalNanoseconds / calls;
    }
}
