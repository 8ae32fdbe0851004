namespace PriceActors.Grains;

/// <summary>
/// One candle (a Binance kline's fields): the trades of <c>[OpenTime, CloseTime]</c>, an interval aligned to the Unix
/// epoch (a day to midnight UTC, an hour to the hour).
/// </summary>
/// <param name="OpenTime">Start of the interval.</param>
/// <param name="CloseTime">Its last millisecond (open time + interval - 1 ms), as Binance gives it.</param>
/// <param name="Open">First trade price.</param>
/// <param name="High">Highest trade price.</param>
/// <param name="Low">Lowest trade price.</param>
/// <param name="Close">Last trade price.</param>
/// <param name="Volume">Traded quantity.</param>
/// <param name="Count">Number of trades.</param>
/// <param name="Closed">Whether the interval is over.</param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.Candle")]
public sealed record Candle(
    DateTimeOffset OpenTime,
    DateTimeOffset CloseTime,
    decimal Open,
    decimal High,
    decimal Low,
    decimal Close,
    decimal Volume,
    long Count,
    bool Closed);
