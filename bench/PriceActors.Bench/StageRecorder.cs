using System.Globalization;
using PriceActors.Silo.Diagnostics;

namespace PriceActors.Bench;

/// <summary>
/// The silo's <see cref="PipelineMetrics"/> histograms while recording, so a latency run can say where a
/// tick's time went: broker delivery, durable commit, update publication (and the flushes' size and
/// duration), beside the end-to-end figure measured at the gateway side.
/// </summary>
internal sealed class StageRecorder : IDisposable
{
    private readonly PipelineMetricsCollector collector = new(recording: false);

    public void Start() => collector.Recording = true;

    public void Stop() => collector.Recording = false;

    /// <summary>One line per histogram: p50, p99, max, count.</summary>
    public IEnumerable<string> Report() =>
        collector.Names.Order(StringComparer.Ordinal).Select(name =>
        {
            var sorted = collector.Of(name).Order().ToArray();
            return string.Create(CultureInfo.InvariantCulture, $"{name,-34} p50 {Percentiles.Of(sorted, 0.5),8:F1}  p99 {Percentiles.Of(sorted, 0.99),8:F1}  max {Percentiles.Of(sorted, 1),8:F1}  ({sorted.Length:N0})");
        });

    public void Dispose() => collector.Dispose();
}
