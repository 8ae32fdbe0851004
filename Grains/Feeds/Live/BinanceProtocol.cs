using System.Text.Json;

namespace PriceActors.Grains.Feeds.Live;

/// <summary>
/// Binance spot's public market-data WebSocket protocol for trades (developers.binance.com, "WebSocket Streams"): a raw
/// stream <c>/ws/&lt;symbol&gt;@trade</c> sends trade events, a combined stream <c>/stream?streams=a/b</c> wraps each
/// as <c>{"stream":…,"data":…}</c>; stream names are lower case; <c>SUBSCRIBE</c>/<c>UNSUBSCRIBE</c> requests are
/// answered <c>{"result":null,"id":n}</c> or with an <c>error</c>; a <c>serverShutdown</c> event precedes a disconnect.
/// A trade event: <c>e</c> "trade", <c>s</c> symbol, <c>t</c> trade id, <c>p</c> price and <c>q</c> quantity as
/// decimal strings, <c>T</c> trade time in milliseconds since the epoch. Binance's symbols (BTCUSDT) are already base
/// and quote without a separator, so the canonical key is the symbol in upper case.
/// </summary>
public static class BinanceProtocol
{
    /// <summary>The exchange's name in instrument keys.</summary>
    public const string Exchange = "binance";

    /// <summary>The public endpoint.</summary>
    public static readonly Uri DefaultUrl = new("wss://stream.binance.com:9443");

    private static readonly TradeShape Shape = new("trade", "p", "q", "T", TradeTimeFormat.EpochMilliseconds, NumberDecimals: false, "price", "a quantity", "a trade time");

    /// <summary>The trade stream of <paramref name="instrument"/>: <c>btcusdt@trade</c>.</summary>
    public static string StreamOf(InstrumentKey instrument) => instrument.Symbol.ToLowerInvariant() + "@trade";

    /// <summary>The combined stream of <paramref name="instruments"/>' trades, relative to the endpoint.</summary>
    public static string CombinedPath(IEnumerable<InstrumentKey> instruments) => "/stream?streams=" + string.Join('/', instruments.Select(StreamOf));

    /// <summary>A live subscription request for <paramref name="instruments"/>' trades (or, with <paramref name="unsubscribe"/>, its reverse).</summary>
    public static string SubscribeRequest(long id, IEnumerable<InstrumentKey> instruments, bool unsubscribe = false)
    {
        return JsonFields.Write(json =>
        {
            json.WriteStartObject();
            json.WriteString("method", unsubscribe ? "UNSUBSCRIBE" : "SUBSCRIBE");
            json.WriteStartArray("params");
            foreach (var instrument in instruments)
            {
                json.WriteStringValue(StreamOf(instrument));
            }

            json.WriteEndArray();
            json.WriteNumber("id", id);
            json.WriteEndObject();
        });
    }

    /// <summary>
    /// Parses one text frame; the trades it holds go to <paramref name="trades"/>, stamped <paramref name="receivedAt"/>.
    /// Never throws for what the exchange sent: a frame that is not the protocol comes back <see cref="FeedFrameKind.Malformed"/>.
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

            if (root.TryGetProperty("data", out var data) && root.TryGetProperty("stream", out _))
            {
                root = data;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    return FeedFrame.Malformed($"the combined stream's data is not an object: {FeedFrame.Excerpt(frame)}");
                }
            }
            else if (root.TryGetProperty("id", out _) && !root.TryGetProperty("e", out _))
            {
                // An error comes as {"error":{"code":…,"msg":…},"id":…}; older pages show {"code":…,"msg":…,"id":…}.
                if (root.TryGetProperty("error", out var error))
                {
                    return new FeedFrame(FeedFrameKind.Error, 0, error.ToString());
                }

                return root.TryGetProperty("msg", out var message)
                    ? new FeedFrame(FeedFrameKind.Error, 0, message.ToString())
                    : new FeedFrame(FeedFrameKind.Control);
            }

            if (!root.TryGetProperty("e", out var type) || type.ValueKind != JsonValueKind.String)
            {
                return FeedFrame.Malformed($"no event type: {FeedFrame.Excerpt(frame)}");
            }

            switch (type.GetString())
            {
                case "trade":
                    var problem = ParseTrade(root, receivedAt, trades);
                    return problem is null ? new FeedFrame(FeedFrameKind.Trades, 1) : FeedFrame.Malformed($"{problem}: {FeedFrame.Excerpt(frame)}");
                case "serverShutdown":
                    return new FeedFrame(FeedFrameKind.Shutdown);
                default:
                    return FeedFrame.Malformed($"unknown event type '{type.GetString()}'");
            }
        }
    }

    private static string? ParseTrade(JsonElement trade, DateTimeOffset receivedAt, List<Tick> trades)
    {
        if (!trade.TryGetProperty("s", out var s) || s.ValueKind != JsonValueKind.String
            || !InstrumentKey.TryCreate(Exchange, s.GetString(), out var instrument, out _))
        {
            return "trade without a valid symbol";
        }

        if (!JsonFields.TryInt64(trade, "t", out var id) || id < 0)
        {
            return $"trade of {instrument} without a trade id";
        }

        return Shape.Add(trades, trade, instrument, id, receivedAt);
    }
}
