using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PriceActors.Grains;

namespace PriceActors.Tests.Grains.Feeds.Live;

/// <summary>A trade the fake exchange sends: the native symbol, the canonical key, and the fields as the exchange writes them.</summary>
internal sealed record FakeTrade(string Native, InstrumentKey Key, long Id, string Price, string Quantity, DateTimeOffset Time, int Count = 1)
{
    public long Milliseconds => Time.ToUnixTimeMilliseconds();

    public string Rfc3339 => Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>
/// One exchange's wire format as its documentation shows it (the same shapes as the protocol tests' fixtures): what the
/// fake exchange answers to a subscription or a ping, and trades as the exchange sends them.
/// </summary>
internal abstract class FakeFormat
{
    public static readonly IReadOnlyList<string> Names = ["binance", "kraken", "coinbase", "coinbase-matches", "bybit", "okx", "ndjson"];

    public abstract string Exchange { get; }

    /// <summary>Symbols as configured (the exchange's own form).</summary>
    public abstract IReadOnlyList<string> Natives { get; }

    public virtual bool OverTcp => false;

    /// <summary>Whether the exchange sends recent trades after a subscription (Kraken, Coinbase Advanced Trade).</summary>
    public virtual bool Snapshots => false;

    /// <summary>Whether the feed treats an id jump as a gap.</summary>
    public virtual bool ConsecutiveIds => true;

    /// <summary>The client's keep-alive request, when the protocol has one.</summary>
    public virtual string? Ping => null;

    /// <summary>A message of the protocol's framing that is not a known event.</summary>
    public abstract string UnknownEvent { get; }

    public static FakeFormat Of(string name) => name switch
    {
        "binance" => new BinanceFormat(),
        "kraken" => new KrakenFormat(),
        "coinbase" => new CoinbaseFormat(),
        "coinbase-matches" => new CoinbaseMatchesFormat(),
        "bybit" => new BybitFormat(),
        "okx" => new OkxFormat(),
        "ndjson" => new NdjsonFormat(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such format"),
    };

    public InstrumentKey KeyOf(string native) =>
        InstrumentKey.Create(Exchange, native.Replace("/", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal));

    public abstract bool IsSubscription(string request);

    /// <summary>The exchange's replies to a client request.</summary>
    public abstract IEnumerable<string> Answer(string request);

    /// <summary>The frames carrying <paramref name="trades"/> (oldest first), as updates or as a subscription's snapshot.</summary>
    public abstract IEnumerable<string> Frames(IReadOnlyList<FakeTrade> trades, bool snapshot = false);

    protected static string Json(JsonNode node) => node.ToJsonString();

    protected static JsonNode Raw(string number) => JsonNode.Parse(number)!;

    private static JsonNode? Parse(string request)
    {
        try
        {
            return JsonNode.Parse(request);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private sealed class BinanceFormat : FakeFormat
    {
        public override string Exchange => "binance";

        public override IReadOnlyList<string> Natives => ["BTCUSDT", "ETHUSDT"];

        public override string UnknownEvent => """{"stream":"btcusdt@kline_1m","data":{"e":"kline","E":1765116000000,"s":"BTCUSDT"}}""";

        public override bool IsSubscription(string request) => Parse(request)?["method"]?.GetValue<string>() == "SUBSCRIBE";

        public override IEnumerable<string> Answer(string request) =>
            IsSubscription(request) ? [Json(new JsonObject { ["result"] = null, ["id"] = Parse(request)!["id"]!.GetValue<long>() })] : [];

        public override IEnumerable<string> Frames(IReadOnlyList<FakeTrade> trades, bool snapshot = false) =>
            trades.Select(t => Json(new JsonObject
            {
                ["stream"] = t.Native.ToLowerInvariant() + "@trade",
                ["data"] = new JsonObject
                {
                    ["e"] = "trade",
                    ["E"] = t.Milliseconds + 1,
                    ["s"] = t.Native,
                    ["t"] = t.Id,
                    ["p"] = t.Price,
                    ["q"] = t.Quantity,
                    ["T"] = t.Milliseconds,
                    ["m"] = true,
                    ["M"] = true,
                },
            }));
    }

    private sealed class KrakenFormat : FakeFormat
    {
        public override string Exchange => "kraken";

        public override IReadOnlyList<string> Natives => ["BTC/USD", "ETH/USD"];

        public override bool Snapshots => true;

        public override string UnknownEvent => """{"channel":"book","type":"update","data":[]}""";

        public override bool IsSubscription(string request) => Parse(request)?["method"]?.GetValue<string>() == "subscribe";

        public override IEnumerable<string> Answer(string request)
        {
            var json = Parse(request)!;
            return IsSubscription(request)
                ? json["params"]!["symbol"]!.AsArray().Select(s => Json(new JsonObject
                {
                    ["method"] = "subscribe",
                    ["result"] = new JsonObject { ["channel"] = "trade", ["snapshot"] = true, ["symbol"] = s!.GetValue<string>() },
                    ["success"] = true,
                    ["req_id"] = json["req_id"]!.GetValue<long>(),
                }))
                : [];
        }

        public override IEnumerable<string> Frames(IReadOnlyList<FakeTrade> trades, bool snapshot = false) =>
        [
            Json(new JsonObject
            {
                ["channel"] = "trade",
                ["type"] = snapshot ? "snapshot" : "update",
                ["data"] = new JsonArray([.. trades.Select(t => (JsonNode)new JsonObject
                {
                    ["symbol"] = t.Native, ["side"] = "buy", ["price"] = Raw(t.Price), ["qty"] = Raw(t.Quantity), ["ord_type"] = "market",
                    ["trade_id"] = t.Id, ["timestamp"] = t.Rfc3339,
                })]),
            }),
        ];
    }

    private sealed class CoinbaseFormat : FakeFormat
    {
        private long sequence;

        public override string Exchange => "coinbase";

        public override IReadOnlyList<string> Natives => ["BTC-USD", "ETH-USD"];

        public override bool Snapshots => true;

        public override string UnknownEvent => """{"channel":"level2","client_id":"","timestamp":"2025-12-07T14:00:00Z","sequence_num":1,"events":[]}""";

        public override bool IsSubscription(string request) =>
            Parse(request) is { } json && json["type"]?.GetValue<string>() == "subscribe" && json["channel"]?.GetValue<string>() == "market_trades";

        public override IEnumerable<string> Answer(string request) => IsSubscription(request)
            ? [Json(new JsonObject
            {
                ["channel"] = "subscriptions", ["client_id"] = "", ["timestamp"] = "2025-12-07T14:00:00Z", ["sequence_num"] = Interlocked.Increment(ref sequence),
                ["events"] = new JsonArray(new JsonObject { ["subscriptions"] = new JsonObject { ["market_trades"] = new JsonArray([.. Natives.Select(n => (JsonNode)n)]) } }),
            })]
            : [];

        // Coinbase lists a message's trades newest first.
        public override IEnumerable<string> Frames(IReadOnlyList<FakeTrade> trades, bool snapshot = false) =>
        [
            Json(new JsonObject
            {
                ["channel"] = "market_trades", ["client_id"] = "", ["timestamp"] = DateTimeOffset.UtcNow.ToString("O"), ["sequence_num"] = Interlocked.Increment(ref sequence),
                ["events"] = new JsonArray(new JsonObject
                {
                    ["type"] = snapshot ? "snapshot" : "update",
                    ["trades"] = new JsonArray([.. trades.Reverse().Select(t => (JsonNode)new JsonObject
                    {
                        ["trade_id"] = t.Id.ToString(CultureInfo.InvariantCulture), ["product_id"] = t.Native, ["price"] = t.Price, ["size"] = t.Quantity,
                        ["side"] = "BUY", ["time"] = t.Rfc3339,
                    })]),
                }),
            }),
        ];
    }

    private sealed class CoinbaseMatchesFormat : FakeFormat
    {
        private long sequence;

        public override string Exchange => "coinbase";

        public override IReadOnlyList<string> Natives => ["BTC-USD", "ETH-USD"];

        public override string UnknownEvent => """{"type":"ticker","product_id":"BTC-USD","price":"1"}""";

        public override bool IsSubscription(string request) => Parse(request)?["type"]?.GetValue<string>() == "subscribe";

        public override IEnumerable<string> Answer(string request) => IsSubscription(request)
            ? [Json(new JsonObject { ["type"] = "subscriptions", ["channels"] = new JsonArray(new JsonObject { ["name"] = "matches", ["product_ids"] = new JsonArray([.. Natives.Select(n => (JsonNode)n)]) }) })]
            : [];

        public override IEnumerable<string> Frames(IReadOnlyList<FakeTrade> trades, bool snapshot = false) =>
            trades.Select(t => Json(new JsonObject
            {
                ["type"] = "match",
                ["trade_id"] = t.Id,
                ["sequence"] = Interlocked.Increment(ref sequence),
                ["maker_order_id"] = "ac928c66-ca53-498f-9c13-a110027a60e8",
                ["taker_order_id"] = "132fb6ae-456b-4654-b4e0-d681ac05cea1",
                ["time"] = t.Rfc3339,
                ["product_id"] = t.Native,
                ["size"] = t.Quantity,
                ["price"] = t.Price,
                ["side"] = "sell",
            }));
    }

    private sealed class BybitFormat : FakeFormat
    {
        public override string Exchange => "bybit";

        public override IReadOnlyList<string> Natives => ["BTCUSDT", "ETHUSDT"];

        public override bool ConsecutiveIds => false;

        public override string? Ping => """{"op":"ping"}""";

        public override string UnknownEvent => """{"topic":"orderbook.50.BTCUSDT","type":"snapshot","ts":1765116000125,"data":{}}""";

        public override bool IsSubscription(string request) => Parse(request)?["op"]?.GetValue<string>() == "subscribe";

        public override IEnumerable<string> Answer(string request)
        {
            var json = Parse(request);
            return json?["op"]?.GetValue<string>() switch
            {
                "subscribe" => [Json(new JsonObject { ["success"] = true, ["ret_msg"] = "subscribe", ["conn_id"] = "c1", ["req_id"] = json["req_id"]?.GetValue<string>(), ["op"] = "subscribe" })],
                "ping" => [Json(new JsonObject { ["success"] = true, ["ret_msg"] = "pong", ["conn_id"] = "c1", ["op"] = "ping" })],
                _ => [],
            };
        }

        public override IEnumerable<string> Frames(IReadOnlyList<FakeTrade> trades, bool snapshot = false) =>
            trades.GroupBy(t => t.Native).Select(g => Json(new JsonObject
            {
                ["topic"] = "publicTrade." + g.Key,
                ["type"] = "snapshot",
                ["ts"] = g.Last().Milliseconds + 2,
                ["data"] = new JsonArray([.. g.Select(t => (JsonNode)new JsonObject
                {
                    ["T"] = t.Milliseconds, ["s"] = t.Native, ["S"] = "Buy", ["v"] = t.Quantity, ["p"] = t.Price, ["L"] = "PlusTick",
                    ["i"] = t.Id.ToString(CultureInfo.InvariantCulture), ["BT"] = false,
                })]),
            }));
    }

    private sealed class OkxFormat : FakeFormat
    {
        public override string Exchange => "okx";

        public override IReadOnlyList<string> Natives => ["BTC-USDT", "ETH-USDT"];

        public override string? Ping => "ping";

        public override string UnknownEvent => """{"arg":{"channel":"books","instId":"BTC-USDT"},"data":[]}""";

        public override bool IsSubscription(string request) => request != "ping" && Parse(request)?["op"]?.GetValue<string>() == "subscribe";

        public override IEnumerable<string> Answer(string request)
        {
            if (request == "ping")
            {
                return ["pong"];
            }

            return IsSubscription(request)
                ? Parse(request)!["args"]!.AsArray().Select(a => Json(new JsonObject { ["event"] = "subscribe", ["arg"] = a!.DeepClone(), ["connId"] = "a4d3ae55" }))
                : [];
        }

        public override IEnumerable<string> Frames(IReadOnlyList<FakeTrade> trades, bool snapshot = false) =>
            trades.GroupBy(t => t.Native).Select(g => Json(new JsonObject
            {
                ["arg"] = new JsonObject { ["channel"] = "trades", ["instId"] = g.Key },
                ["data"] = new JsonArray([.. g.Select(t => (JsonNode)new JsonObject
                {
                    ["instId"] = t.Native, ["tradeId"] = t.Id.ToString(CultureInfo.InvariantCulture), ["px"] = t.Price, ["sz"] = t.Quantity,
                    ["side"] = "buy", ["ts"] = t.Milliseconds.ToString(CultureInfo.InvariantCulture), ["count"] = t.Count.ToString(CultureInfo.InvariantCulture),
                })]),
            }));
    }

    private sealed class NdjsonFormat : FakeFormat
    {
        public override string Exchange => "local1";

        public override IReadOnlyList<string> Natives => ["BTC-USD", "ETH-USD"];

        public override bool OverTcp => true;

        public override bool ConsecutiveIds => false;

        public override string UnknownEvent => """{"type":"status","ok":true}""";

        public override bool IsSubscription(string request) => false;

        public override IEnumerable<string> Answer(string request) => [];

        public override IEnumerable<string> Frames(IReadOnlyList<FakeTrade> trades, bool snapshot = false) =>
            trades.Select(t => Json(new JsonObject
            {
                ["symbol"] = t.Native,
                ["price"] = Raw(t.Price),
                ["quantity"] = t.Quantity,
                ["timestamp"] = t.Milliseconds,
                ["id"] = t.Id,
            }));
    }
}
