using System.Text.Json;

namespace PriceActors.Grains.Feeds.Live;

/// <summary>
/// Coinbase Advanced Trade's public market-data WebSocket, channel <c>market_trades</c> (docs.cdp.coinbase.com,
/// "Advanced Trade WebSocket", "Market trades"): <c>{"type":"subscribe","product_ids":[…],"channel":"market_trades"}</c>;
/// every message is <c>{"channel":…,"client_id":…,"timestamp":…,"sequence_num":…,"events":[…]}</c>, a
/// <c>market_trades</c> event being <c>{"type":"snapshot"|"update","trades":[…]}</c> with <c>trade_id</c>,
/// <c>product_id</c> (BTC-USD), <c>price</c> and <c>size</c> as strings, <c>side</c> and an RFC 3339 <c>time</c>; trades
/// are collected over 250 ms, so one message may hold many. The <c>subscriptions</c> and <c>heartbeats</c> channels
/// carry no trade; a refused request comes back <c>{"type":"error","message":…}</c>. BTC-USD maps to coinbase:BTCUSD.
/// </summary>
public static class CoinbaseProtocol
{
    /// <summary>The exchange's name in instrument keys.</summary>
    public const string Exchange = "coinbase";

    /// <summary>The public market-data endpoint.</summary>
    public static readonly Uri DefaultUrl = new("wss://advanced-trade-ws.coinbase.com");

    private static readonly TradeShape Shape = new("trade", "price", "size", "time", TradeTimeFormat.Rfc3339, NumberDecimals: false, "price", "a size", "an RFC 3339 time");

    /// <summary>The key of a product id: <c>BTC-USD</c> → <c>coinbase:BTCUSD</c>; false when it is not BASE-QUOTE.</summary>
    public static bool TryKeyOf(string productId, out InstrumentKey instrument) => JsonFields.TryKeyOfPair(Exchange, productId, '-', out instrument);

    /// <summary>A subscription request for <paramref name="productIds"/>' trades on <paramref name="channel"/> (<c>market_trades</c>, or <c>heartbeats</c> to keep a quiet connection open).</summary>
    public static string SubscribeRequest(IEnumerable<string> productIds, string channel = "market_trades", bool unsubscribe = false) =>
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
            json.WriteString("channel", channel);
            json.WriteEndObject();
        });

    /// <summary>Parses one text frame; its trades go to <paramref name="trades"/>, all or none. Never throws for what the exchange sent.</summary>
    public static FeedFrame Parse(ReadOnlySpan<byte> frame, DateTimeOffset receivedAt, List<Tick> trades)
    {
        if (!FeedFrame.TryOpen(frame, out var document, out var outcome))
        {
            return outcome;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String && type.GetString() == "error")
            {
                return new FeedFrame(FeedFrameKind.Error, 0, root.TryGetProperty("message", out var message) ? message.ToString() : "error");
            }

            if (!root.TryGetProperty("channel", out var channel) || channel.ValueKind != JsonValueKind.String)
            {
                return FeedFrame.Malformed($"neither an error nor a channel message: {FeedFrame.Excerpt(frame)}");
            }

            switch (channel.GetString())
            {
                case "subscriptions":
                case "heartbeats":
                    return new FeedFrame(FeedFrameKind.Control);
                case "market_trades":
                    break;
                default:
                    return FeedFrame.Malformed($"unknown channel '{channel.GetString()}'");
            }

            if (!root.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
            {
                return FeedFrame.Malformed($"market_trades message without an events array: {FeedFrame.Excerpt(frame)}");
            }

            var first = trades.Count;
            foreach (var tradeEvent in events.EnumerateArray())
            {
                var parsed = tradeEvent.ValueKind == JsonValueKind.Object
                    ? TradeArrays.Parse(tradeEvent, "trades", receivedAt, trades, frame, ParseTrade)
                    : FeedFrame.Malformed($"an event that is not an object: {FeedFrame.Excerpt(frame)}");
                if (parsed.Kind == FeedFrameKind.Malformed)
                {
                    trades.RemoveRange(first, trades.Count - first);
                    return parsed;
                }
            }

            return new FeedFrame(FeedFrameKind.Trades, trades.Count - first);
        }
    }

    private static string? ParseTrade(JsonElement trade, DateTimeOffset receivedAt, List<Tick> trades)
    {
        if (!trade.TryGetProperty("product_id", out var product) || product.ValueKind != JsonValueKind.String || !TryKeyOf(product.GetString()!, out var instrument))
        {
            return "a trade without a BASE-QUOTE product_id";
        }

        if (!JsonFields.TryDigitsInt64(trade, "trade_id", out var id))
        {
            return $"a trade of {instrument} without a numeric trade_id";
        }

        return Shape.Add(trades, trade, instrument, id, receivedAt);
    }
}
