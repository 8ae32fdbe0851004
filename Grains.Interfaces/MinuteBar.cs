namespace PriceActors.Grains;

/// <summary>
/// Aggregate of one instrument's trades in one UTC minute, <c>[Minute, Minute + 1 min)</c>.
/// <see cref="Min"/> and <see cref="Max"/> are the same as <see cref="Low"/> and <see cref="High"/>.
/// </summary>
/// <param name="Exchange">Exchange, lower case.</param>
/// <param name="Symbol">Symbol, upper case.</param>
/// <param name="Minute">Start of the minute (UTC, seconds zero).</param>
/// <param name="Open">First trade price.</param>
/// <param name="High">Highest trade price.</param>
/// <param name="Low">Lowest trade price.</param>
/// <param name="Close">Last trade price.</param>
/// <param name="Average">Mean trade price, rounded to 12 decimal places.</param>
/// <param name="Vwap">Volume-weighted average price, rounded to 12 decimal places (the mean when the volume is zero).</param>
/// <param name="Count">Number of trades.</param>
/// <param name="Volume">Traded quantity.</param>
/// <param name="LastSequence">Sequence of the bar's last trade.</param>
/// <param name="Closed">True once the minute is over and the bar final.</param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.MinuteBar")]
public sealed record MinuteBar(
    string Exchange,
    string Symbol,
    DateTimeOffset Minute,
    decimal Open,
    decimal High,
    decimal Low,
    decimal Close,
    decimal Average,
    decimal Vwap,
    long Count,
    decimal Volume,
    long LastSequence,
    bool Closed)
{
    /// <summary>Lowest trade price (same as <see cref="Low"/>).</summary>
    public decimal Min => Low;

    /// <summary>Highest trade price (same as <see cref="High"/>).</summary>
    public decimal Max => High;
}
