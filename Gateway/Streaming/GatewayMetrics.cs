using System.Diagnostics.Metrics;

namespace PriceActors.Gateway.Streaming;

/// <summary>
/// The update path's share of a tick's time, as a histogram of the meter <see cref="MeterName"/>: how old a price
/// update is, counted from its trade's exchange time, when it reaches this gateway. With the silos' durable age it
/// tells where a slow update spent its time. Any <c>System.Diagnostics.Metrics</c> listener reads it
/// (<c>dotnet-counters monitor --counters PriceActors.Gateway</c>, OpenTelemetry).
/// </summary>
public static class GatewayMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "PriceActors.Gateway";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Per price update received from a pair: now minus the exchange time of its last trade.</summary>
    public static readonly Histogram<double> UpdateAge = Meter.CreateHistogram<double>(
        "priceactors.updates.age", "ms", "Age of a price update (since its last trade's exchange time) when it reaches the gateway");
}
