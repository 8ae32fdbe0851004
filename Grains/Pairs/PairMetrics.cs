using System.Diagnostics.Metrics;

namespace PriceActors.Grains.Pairs;

/// <summary>
/// Trades the pairs count and do not apply, as counters of the meter <see cref="MeterName"/> tagged by exchange:
/// late trades (their minute's bar was closed) and trades of an earlier feed mode epoch. Any
/// <c>System.Diagnostics.Metrics</c> listener reads them (<c>dotnet-counters monitor --counters PriceActors.Pairs</c>).
/// </summary>
public static class PairMetrics
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "PriceActors.Pairs";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Trades that arrived after their minute's bar closed.</summary>
    public static readonly Counter<long> LateTrades = Meter.CreateCounter<long>(
        "priceactors.trades.late", "{trade}", "Trades that arrived after their minute's bar was closed: counted, logged, not applied");

    /// <summary>Trades of a feed mode epoch the pair has left.</summary>
    public static readonly Counter<long> EarlierEpochTrades = Meter.CreateCounter<long>(
        "priceactors.trades.earlier_epoch", "{trade}", "Trades of a feed mode epoch the pair has left (a mode switch): refused");
}
