using System.Diagnostics.Metrics;

namespace PriceActors.Silo.Diagnostics;

/// <summary>
/// The store's share of a tick's time, as histograms of the meter <see cref="MeterName"/>: how old a tick is (since
/// the feed received it) when it is durable, and the size and duration of each group commit. Any
/// <c>System.Diagnostics.Metrics</c> listener reads them (<c>dotnet-counters monitor --counters PriceActors.Silo</c>,
/// OpenTelemetry); with no listener a record costs one flag check.
/// </summary>
public static class PipelineMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "PriceActors.Silo";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Per append: now, just after the commit, minus its newest tick's receive time.</summary>
    public static readonly Histogram<double> DurableAge = Meter.CreateHistogram<double>(
        "priceactors.ticks.durable_age", "ms", "Age of an append's newest tick (since the feed received it) when its group commit completes");

    /// <summary>Per group commit: how long it took.</summary>
    public static readonly Histogram<double> FlushDuration = Meter.CreateHistogram<double>(
        "priceactors.store.flush_duration", "ms", "Duration of one group commit of ticks and bars");

    /// <summary>Per group commit: how many ticks it wrote.</summary>
    public static readonly Histogram<int> FlushTicks = Meter.CreateHistogram<int>(
        "priceactors.store.flush_ticks", "{tick}", "Ticks in one group commit");
}
