namespace PriceActors.Grains.Feeds.Live;

/// <summary>
/// The fields of a newline-delimited JSON trade feed (one object a line), for local test exchanges: which property holds
/// the symbol, the price, the quantity, the trade time and, when the source has one, the trade id.
/// </summary>
/// <param name="Exchange">The exchange the endpoint's trades are keyed under.</param>
/// <param name="Symbol">The symbol's property (BTCUSDT, BTC-USD and BTC/USD all become BTCUSD-style keys).</param>
/// <param name="Price">The price's property: a JSON number or a decimal string, kept with its digits.</param>
/// <param name="Quantity">The quantity's property, like the price.</param>
/// <param name="Timestamp">The trade time's property: milliseconds since the Unix epoch, or an ISO 8601 string.</param>
/// <param name="TradeId">The trade id's property; when a line has none the feed numbers the trades itself.</param>
public sealed record NdjsonFormat(
    string Exchange,
    string Symbol = "symbol",
    string Price = "price",
    string Quantity = "quantity",
    string Timestamp = "timestamp",
    string TradeId = "id");
