using System.Text.Json;

namespace PriceActors.Grains.Feeds.Live;

/// <summary>
/// OKX's v5 public WebSocket, channel <c>trades</c> (www.okx.com/docs-v5, "WebSocket Public Channel", "Trades
/// channel"): <c>{"op":"subscribe","args":[{"channel":"trades","instId":"BTC-USDT"}]}</c> is answered
/// <c>{"event":"subscribe","arg":…}</c> or <c>{"event":"error","code":…,"msg":…}</c>; a push is
/// <c>{"arg":{…},"data":[…]}</c>, each trade with <c>instId</c>, <c>tradeId</c>, <c>px</c>, <c>sz</c>, <c>side</c>,
/// <c>ts</c> (ms) all as strings, and <c>count</c>: the number of fills aggregated into it (same taker order, same
/// price), <c>tradeId</c> being the last fill's, so ids advance by <c>count</c>. The client sends the text
/// <c>ping</c> when it heard nothing for a while (under 30 s) and gets <c>pong</c>. BTC-USDT maps to okx:BTCUSDT.
/// </summary>
public static class OkxProtocol
{
    /// <summary>The exchange's name in instrument keys.</summary>
    public const string Exchange = "okx";

    /// <summary>The public endpoint.</summary>
    public static readonly Uri DefaultUrl = new("wss://ws.okx.com:8443/ws/v5/public");

    private static readonly TradeShape Shape = new("trade", "px", "sz", "ts", TradeTimeFormat.EpochMillisecondsDigits, NumberDecimals: false, "px", "a sz", "a ts");

    /// <summary>What the client sends to keep the connection (plain text, not JSON).</summary>
    public const string Ping = "ping";

    /// <summary>The key of a native instrument id: <c>BTC-USDT</c> → <c>okx:BTCUSDT</c>; false when it is not BASE-QUOTE.</summary>
    public static bool TryKeyOf(string native, out InstrumentKey instrument) => JsonFields.TryKeyOfPair(Exchange, native, '-', out instrument);

    /// <summary>A subscription request for the trades of <paramref name="natives"/> (BTC-USDT…).</summary>
    public static string SubscribeRequest(IEnumerable<string> natives, bool unsubscribe = false) =>
        JsonFields.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("op", unsubscribe ? "unsubscribe" : "subscribe");
            json.WriteStartArray("args");
            foreach (var native in natives)
            {
                json.WriteStartObject();
                json.WriteString("channel", "trades");
                json.WriteString("instId", native);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        });

    /// <summary>
    /// Parses one text frame; its trades go to <paramref name="trades"/>, all or none, and each trade's <c>count</c> (fills
    /// it aggregates, 1 when absent) to <paramref name="fills"/> when given. Never throws for what the exchange sent.
    /// </summary>
    public static FeedFrame Parse(ReadOnlySpan<byte> frame, DateTimeOffset receivedAt, List<Tick> trades, List<int>? fills = null)
    {
        var text = frame.Trim(" \t\r\n"u8);
        if (text.IsEmpty)
        {
            return FeedFrame.Malformed("empty frame");
        }

        if (text.SequenceEqual("pong"u8))
        {
            return new FeedFrame(FeedFrameKind.Control);
        }

        if (!FeedFrame.TryOpen(frame, out var document, out var outcome))
        {
            return outcome;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.TryGetProperty("event", out var kind) && kind.ValueKind == JsonValueKind.String)
            {
                return kind.GetString() == "error"
                    ? new FeedFrame(FeedFrameKind.Error, 0, $"{(root.TryGetProperty("code", out var code) ? code.ToString() : "?")}: {(root.TryGetProperty("msg", out var message) ? message.ToString() : "")}")
                    : new FeedFrame(FeedFrameKind.Control);
            }

            if (!root.TryGetProperty("arg", out var arg) || arg.ValueKind != JsonValueKind.Object
                || !arg.TryGetProperty("channel", out var channel) || channel.ValueKind != JsonValueKind.String)
            {
                return FeedFrame.Malformed($"neither an event nor a channel push: {FeedFrame.Excerpt(frame)}");
            }

            if (channel.GetString() != "trades")
            {
                return FeedFrame.Malformed($"unknown channel '{channel.GetString()}'");
            }

            var parsed = TradeArrays.Parse(root, "data", receivedAt, trades, frame, (trade, at, list) => ParseTrade(trade, at, list, fills));
            if (fills is not null && fills.Count > trades.Count)
            {
                fills.RemoveRange(trades.Count, fills.Count - trades.Count);
            }

            return parsed;
        }
    }

    private static string? ParseTrade(JsonElement trade, DateTimeOffset receivedAt, List<Tick> trades, List<int>? fills)
    {
        if (!trade.TryGetProperty("instId", out var native) || native.ValueKind != JsonValueKind.String || !TryKeyOf(native.GetString()!, out var instrument))
        {
            return "a trade without a BASE-QUOTE instId";
        }

        if (!JsonFields.TryDigitsInt64(trade, "tradeId", out var id) || id < 0)
        {
            return $"a trade of {instrument} without a numeric tradeId";
        }

        var count = 1L;
        if (trade.TryGetProperty("count", out _) && (!JsonFields.TryDigitsInt64(trade, "count", out count) || count < 1 || count > id + 1))
        {
            return $"a trade of {instrument} with a count that is not a positive number of fills";
        }

        var problem = Shape.Add(trades, trade, instrument, id, receivedAt);
        if (problem is null)
        {
            fills?.Add((int)Math.Min(count, int.MaxValue));
        }

        return problem;
    }
}
