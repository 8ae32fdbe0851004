namespace PriceActors.Grains;

/// <summary>An instrument's trades of one epoch, oldest first.</summary>
/// <param name="Exchange">Exchange, lower case.</param>
/// <param name="Symbol">Symbol, upper case.</param>
/// <param name="Epoch">The epoch of the sequence numbers.</param>
/// <param name="Trades">The trades.</param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.TradeHistory")]
public sealed record TradeHistory(string Exchange, string Symbol, long Epoch, HistoricTrade[] Trades);

/// <summary>One trade as the pair accepted it.</summary>
/// <param name="Sequence">Its sequence number in the epoch.</param>
/// <param name="TradeId">The exchange's trade id.</param>
/// <param name="Price">Price, with the exchange's digits.</param>
/// <param name="Quantity">Quantity.</param>
/// <param name="Timestamp">Exchange time.</param>
/// <param name="ReceivedAt">When the feed received it.</param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.HistoricTrade")]
public sealed record HistoricTrade(long Sequence, long TradeId, decimal Price, decimal Quantity, DateTimeOffset Timestamp, DateTimeOffset ReceivedAt);
