using System.Text.Json;

namespace PriceActors.Grains.Feeds.Live;

/// <summary>
/// Kraken spot's WebSocket v2 <c>trade</c> channel (docs.kraken.com, "Spot WebSocket v2": trade, subscribe, heartbeat,
/// ping): a request <c>{"method":"subscribe","params":{"channel":"trade","symbol":[…],"snapshot":true},"req_id":n}</c>
/// is acknowledged by <c>{"method":"subscribe","result":{…},"success":true,…}</c> or refused with <c>success</c> false and
/// an <c>error</c>; trades come as <c>{"channel":"trade","type":"snapshot"|"update","data":[…]}</c>, each with
/// <c>symbol</c> (BTC/USD), <c>price</c> and <c>qty</c> as JSON numbers, <c>trade_id</c> (sequential per book) and an
/// RFC 3339 <c>timestamp</c>; <c>heartbeat</c> and <c>status</c> channels and <c>pong</c> replies carry no trade.
/// Symbols map to keys without the separator (BTC/USD → kraken:BTCUSD).
/// </summary>
public static class KrakenProtocol
{
    /// <summary>The exchange's name in instrument keys.</summary>
    public const string Exchange = "kraken";

    /// <summary>The public v2 endpoint.</summary>
    public static readonly Uri DefaultUrl = new("wss://ws.kraken.com/v2");

    private static readonly TradeShape Shape = new("trade", "price", "qty", "timestamp", TradeTimeFormat.Rfc3339, NumberDecimals: true, "price", "a quantity", "an RFC 3339 timestamp");

    /// <summary>The key of a native symbol: <c>BTC/USD</c> → <c>kraken:BTCUSD</c>; false when it is not BASE/QUOTE.</summary>
    public static bool TryKeyOf(string native, out InstrumentKey instrument) => JsonFields.TryKeyOfPair(Exchange, native, '/', out instrument);

    /// <summary>A subscription request for the trades of <paramref name="natives"/> (BTC/USD…), with the recent trades' snapshot.</summary>
    public static string SubscribeRequest(long requestId, IEnumerable<string> natives, bool unsubscribe = false)
    {
        return JsonFields.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("method", unsubscribe ? "unsubscribe" : "subscribe");
            json.WriteStartObject("params");
            json.WriteString("channel", "trade");
            json.WriteStartArray("symbol");
            foreach (var native in natives)
            {
                json.WriteStringValue(native);
            }

            json.WriteEndArray();
            if (!unsubscribe)
            {
                json.WriteBoolean("snapshot", true);
            }

            json.WriteEndObject();
            json.WriteNumber("req_id", requestId);
            json.WriteEndObject();
        });
    }

    /// <summary>
    /// Parses one text frame; its trades go to <paramref name="trades"/>, stamped <paramref name="receivedAt"/>. A frame
    /// with one bad trade adds none of its trades. Never throws for what the exchange sent.
    /// </summary>
    public static FeedFrame Parse(ReadOnlySpan<byte> frame, DateTimeOffset receivedAt, List<Tick> trades)
    {
        if (!FeedFrame.TryOpen(frame, out var document, out var outcome))
        {
            return outcome;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.TryGetProperty("method", out var method) && method.ValueKind == JsonValueKind.String)
            {
                // Acknowledgements of subscribe, unsubscribe and ping.
                return FeedFrame.Reply(root, "error");
            }

            if (!root.TryGetProperty("channel", out var channel) || channel.ValueKind != JsonValueKind.String)
            {
                return FeedFrame.Malformed($"neither a reply nor a channel message: {FeedFrame.Excerpt(frame)}");
            }

            switch (channel.GetString())
            {
                case "heartbeat":
                case "status":
                    return new FeedFrame(FeedFrameKind.Control);
                case "trade":
                    return TradeArrays.Parse(root, "data", receivedAt, trades, frame, ParseTrade);
                default:
                    return FeedFrame.Malformed($"unknown channel '{channel.GetString()}'");
            }
        }
    }

    private static string? ParseTrade(JsonElement trade, DateTimeOffset receivedAt, List<Tick> trades)
    {
        if (!trade.TryGetProperty("symbol", out var symbol) || symbol.ValueKind != JsonValueKind.String || !TryKeyOf(symbol.GetString()!, out var instrument))
        {
            return "a trade without a BASE/QUOTE symbol";
        }

        if (!JsonFields.TryInt64(trade, "trade_id", out var id) || id < 0)
        {
            return $"a trade of {instrument} without a trade id";
        }

        return Shape.Add(trades, trade, instrument, id, receivedAt);
    }
}
