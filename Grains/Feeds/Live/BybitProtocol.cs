using System.Text.Json;

namespace PriceActors.Grains.Feeds.Live;

/// <summary>
/// Bybit's v5 public spot WebSocket, topic <c>publicTrade.&lt;SYMBOL&gt;</c> (bybit-exchange.github.io/docs/v5,
/// "WebSocket Stream", "Trade"): a push is <c>{"topic":…,"type":"snapshot","ts":…,"data":[…]}</c>, each trade with
/// <c>T</c> trade time (ms), <c>s</c> symbol, <c>S</c> side, <c>v</c> size and <c>p</c> price as decimal strings and
/// <c>i</c> trade id (a number in a string on spot); <c>{"op":"subscribe","args":[…]}</c> and the client's
/// <c>{"op":"ping"}</c> are answered <c>{"success":…,"ret_msg":…,"op":…}</c>. The client must ping (every 20 s is
/// recommended) or the server closes the connection.
/// </summary>
public static class BybitProtocol
{
    /// <summary>The exchange's name in instrument keys.</summary>
    public const string Exchange = "bybit";

    /// <summary>The public spot endpoint.</summary>
    public static readonly Uri DefaultUrl = new("wss://stream.bybit.com/v5/public/spot");

    private static readonly TradeShape Shape = new("trade", "p", "v", "T", TradeTimeFormat.EpochMilliseconds, NumberDecimals: false, "price", "a size", "a trade time");

    /// <summary>What the client sends to keep the connection.</summary>
    public const string Ping = """{"op":"ping"}""";

    /// <summary>The trade topic of <paramref name="instrument"/>: <c>publicTrade.BTCUSDT</c>.</summary>
    public static string TopicOf(InstrumentKey instrument) => "publicTrade." + instrument.Symbol;

    /// <summary>A subscription request for <paramref name="instruments"/>' trades (or, with <paramref name="unsubscribe"/>, its reverse).</summary>
    public static string SubscribeRequest(string requestId, IEnumerable<InstrumentKey> instruments, bool unsubscribe = false) =>
        JsonFields.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("op", unsubscribe ? "unsubscribe" : "subscribe");
            json.WriteString("req_id", requestId);
            json.WriteStartArray("args");
            foreach (var instrument in instruments)
            {
                json.WriteStringValue(TopicOf(instrument));
            }

            json.WriteEndArray();
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
            if (root.TryGetProperty("op", out _))
            {
                return FeedFrame.Reply(root, "ret_msg");
            }

            if (!root.TryGetProperty("topic", out var topic) || topic.ValueKind != JsonValueKind.String)
            {
                return FeedFrame.Malformed($"neither a reply nor a topic message: {FeedFrame.Excerpt(frame)}");
            }

            if (!topic.GetString()!.StartsWith("publicTrade.", StringComparison.Ordinal))
            {
                return FeedFrame.Malformed($"unknown topic '{topic.GetString()}'");
            }

            return TradeArrays.Parse(root, "data", receivedAt, trades, frame, ParseTrade);
        }
    }

    private static string? ParseTrade(JsonElement trade, DateTimeOffset receivedAt, List<Tick> trades)
    {
        if (!trade.TryGetProperty("s", out var symbol) || symbol.ValueKind != JsonValueKind.String
            || !InstrumentKey.TryCreate(Exchange, symbol.GetString(), out var instrument, out _))
        {
            return "a trade without a valid symbol";
        }

        if (!JsonFields.TryDigitsInt64(trade, "i", out var id))
        {
            return $"a trade of {instrument} without a numeric trade id";
        }

        return Shape.Add(trades, trade, instrument, id, receivedAt);
    }
}
