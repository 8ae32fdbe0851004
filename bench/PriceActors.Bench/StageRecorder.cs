using System.Diagnostics;
using System.Globalization;
using PriceActors.Silo.Diagnostics;

namespace PriceActors.Bench;

/// <summary>
/// The silo's <see cref="PipelineMetrics"/> histograms while recording, so a latency run can say where a
/// tick's time went: broker delivery, durable commit, update publication (and the flushes' size and
/// duration), beside the end-to-end figure measured at the gateway side. The stages a tick waits in are also
/// given per 10 s slice of the recording, as the gateway slices the end-to-end figure, so a slow slice shows
/// which stage was slow first.
/// </summary>
internal sealed class StageRecorder : IDisposable
{
    private static readonly (string Name, string Statistic, double Quantile)[] Sliced =
    [
        ("priceactors.ticks.delivery_age", "p99", 0.99),
        ("priceactors.store.flush_duration", "max", 1),
        ("priceactors.ticks.durable_age", "p99", 0.99),
        ("priceactors.updates.publish_age", "p99", 0.99),
    ];

    private readonly PipelineMetricsCollector collector = new(recording: false);
    private long started;
    private long stopped;

    public void Start()
    {
        started = Stopwatch.GetTimestamp();
        collector.Recording = true;
    }

    public void Stop()
    {
        collector.Recording = false;
        stopped = Stopwatch.GetTimestamp();
    }

    /// <summary>One line per histogram: p50, p99, max, count; then one line per sliced stage.</summary>
    public IEnumerable<string> Report()
    {
        foreach (var name in collector.Names.Order(StringComparer.Ordinal))
        {
            var sorted = collector.Of(name).Order().ToArray();
            yield return string.Create(CultureInfo.InvariantCulture, $"{name,-34} p50 {Percentiles.Of(sorted, 0.5),8:F1}  p99 {Percentiles.Of(sorted, 0.99),8:F1}  max {Percentiles.Of(sorted, 1),8:F1}  ({sorted.Length:N0})");
        }

        var slice = ClusterBenchmark.LatencySliceSeconds * Stopwatch.Frequency;
        // A last part shorter than half a slice counts in the slice before, as the gateway's slices do.
        var count = Math.Max(1, (int)Math.Round((stopped - started) / (double)slice));
        foreach (var (name, statistic, quantile) in Sliced)
        {
            var (values, stamps) = collector.TimedOf(name);
            var slices = Enumerable.Range(0, count).Select(_ => new List<double>()).ToArray();
            for (var i = 0; i < values.Length; i++)
            {
                slices[Math.Clamp((int)((stamps[i] - started) / slice), 0, count - 1)].Add(values[i]);
            }

            var figures = slices.Select(s => s.Count == 0 ? "-" : Percentiles.Of([.. s.Order()], quantile).ToString("F1", CultureInfo.InvariantCulture));
            yield return $"{name,-34} {statistic} of each {ClusterBenchmark.LatencySliceSeconds} s: {string.Join(", ", figures)}";
        }
    }

    /// <summary>The largest measurement of <paramref name="name"/> and when it was recorded, if any.</summary>
    public (double Milliseconds, long Stamp)? Worst(string name)
    {
        var (values, stamps) = collector.TimedOf(name);
        if (values.Length == 0)
        {
            return null;
        }

        var worst = Array.IndexOf(values, values.Max());
        return (values[worst], stamps[worst]);
    }

    public void Dispose() => collector.Dispose();
}
