namespace PriceActors.Grains;

/// <summary>Statistics of an instrument's trades in <c>[From, To)</c>, a period inside its rolling window.</summary>
/// <param name="Exchange">Exchange, lower case.</param>
/// <param name="Symbol">Symbol, upper case.</param>
/// <param name="From">Start of the period (inclusive, UTC).</param>
/// <param name="To">End of the period (exclusive, UTC).</param>
/// <param name="Count">Trades in the period.</param>
/// <param name="High">Highest price; null when there were no trades.</param>
/// <param name="Low">Lowest price; null when there were no trades.</param>
/// <param name="Average">Mean price rounded to 12 decimal places; null when there were no trades.</param>
/// <param name="Vwap">Volume-weighted average price rounded to 12 decimal places; null when there were no trades.</param>
/// <param name="First">First trade price; null when there were no trades.</param>
/// <param name="Last">Last trade price; null when there were no trades.</param>
/// <param name="Volume">Traded quantity.</param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.WindowStats")]
public sealed record WindowStats(
    string Exchange,
    string Symbol,
    DateTimeOffset From,
    DateTimeOffset To,
    long Count,
    decimal? High,
    decimal? Low,
    decimal? Average,
    decimal? Vwap,
    decimal? First,
    decimal? Last,
    decimal Volume);
