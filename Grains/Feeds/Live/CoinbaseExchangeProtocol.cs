using System.Text.Json;

namespace PriceActors.Grains.Feeds.Live;

/// <summary>
/// The Coinbase Exchange feed's <c>matches</c> channel (docs.cdp.coinbase.com, "Exchange WebSocket channels"), the
/// configured alternative to Advanced Trade's <c>market_trades</c> (<see cref="CoinbaseProtocol"/>) under the same
/// exchange key, never both for one instrument: <c>{"type":"subscribe","product_ids":[…],"channels":["matches"]}</c>;
/// each trade is one message <c>{"type":"match",…}</c> (the first after subscribing <c>last_match</c>) with a numeric
/// <c>trade_id</c>, <c>product_id</c>, <c>price</c> and <c>size</c> as strings, <c>side</c> and an RFC 3339 <c>time</c>;
/// <c>subscriptions</c> and <c>heartbeat</c> messages carry no trade, a refused request is <c>{"type":"error",…}</c>.
/// </summary>
public static class CoinbaseExchangeProtocol
{
    /// <summary>The Exchange feed's public endpoint.</summary>
    public static readonly Uri DefaultUrl = new("wss://ws-feed.exchange.coinbase.com");

    private static readonly TradeShape Shape = new("match", "price", "size", "time", TradeTimeFormat.Rfc3339, NumberDecimals: false, "price", "a size", "an RFC 3339 time");

    /// <summary>A subscription request for <paramref name="productIds"/>' matches.</summary>
    public static string SubscribeRequest(IEnumerable<string> productIds, bool unsubscribe = false) =>
        JsonFields.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("type", unsubscribe ? "unsubscribe" : "subscribe");
            json.WriteStartArray("product_ids");
            foreach (var productId in productIds)
            {
                json.WriteStringValue(productId);
            }

            json.WriteEndArray();
            json.WriteStartArray("channels");
            json.WriteStringValue("matches");
            json.WriteEndArray();
            json.WriteEndObject();
        });

    /// <summary>Parses one text frame; its trade goes to <paramref name="trades"/>. Never throws for what the exchange sent.</summary>
    public static FeedFrame Parse(ReadOnlySpan<byte> frame, DateTimeOffset receivedAt, List<Tick> trades)
    {
        if (!FeedFrame.TryOpen(frame, out var document, out var outcome))
        {
            return outcome;
        }

        using (document)
        {
            var root = document.RootElement;
            if (!root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
            {
                return FeedFrame.Malformed($"no message type: {FeedFrame.Excerpt(frame)}");
            }

            switch (type.GetString())
            {
                case "match":
                case "last_match":
                    var problem = ParseMatch(root, receivedAt, trades);
                    return problem is null ? new FeedFrame(FeedFrameKind.Trades, 1) : FeedFrame.Malformed($"{problem}: {FeedFrame.Excerpt(frame)}");
                case "subscriptions":
                case "heartbeat":
                    return new FeedFrame(FeedFrameKind.Control);
                case "error":
                    return new FeedFrame(FeedFrameKind.Error, 0, root.TryGetProperty("message", out var message) ? message.ToString() : "error");
                default:
                    return FeedFrame.Malformed($"unknown message type '{type.GetString()}'");
            }
        }
    }

    private static string? ParseMatch(JsonElement match, DateTimeOffset receivedAt, List<Tick> trades)
    {
        if (!match.TryGetProperty("product_id", out var product) || product.ValueKind != JsonValueKind.String
            || !CoinbaseProtocol.TryKeyOf(product.GetString()!, out var instrument))
        {
            return "a match without a BASE-QUOTE product_id";
        }

        if (!JsonFields.TryInt64(match, "trade_id", out var id) || id < 0)
        {
            return $"a match of {instrument} without a trade_id";
        }

        return Shape.Add(trades, match, instrument, id, receivedAt);
    }
}
