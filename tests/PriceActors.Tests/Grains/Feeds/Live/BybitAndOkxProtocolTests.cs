using System.Globalization;
using System.Text;
using PriceActors.Grains;
using PriceActors.Grains.Feeds.Live;

namespace PriceActors.Tests.Grains.Feeds.Live;

/// <summary><see cref="BybitProtocol"/> and <see cref="OkxProtocol"/> on frames in the documented shapes (Fixtures/bybit, Fixtures/okx) and on garbage.</summary>
public sealed class BybitAndOkxProtocolTests
{
    [Fact]
    public void Bybit_PublicTrade_EveryTradeWithItsDigitsIdAndTime()
    {
        var trades = new List<Tick>();

        var frame = BybitProtocol.Parse(LiveFrames.Fixture("bybit", "public-trade.json"), LiveFrames.Received, trades);

        Assert.Equal(new FeedFrame(FeedFrameKind.Trades, 2), frame);
        Assert.Equal([2290000000061666327L, 2290000000061666328L], trades.Select(t => t.TradeId));
        Assert.Equal((InstrumentKey.Parse("bybit:BTCUSDT"), "89512.40", "0.001200"), (trades[0].Instrument, trades[0].Price.ToString(CultureInfo.InvariantCulture), trades[0].Quantity.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1765116000121), trades[0].ExchangeTime);
    }

    [Theory]
    [InlineData("bybit", "subscribe-ack.json", FeedFrameKind.Control, null)]
    [InlineData("bybit", "subscribe-error.json", FeedFrameKind.Error, "Invalid topic")]
    [InlineData("bybit", "pong.json", FeedFrameKind.Control, null)]
    [InlineData("okx", "subscribe-ack.json", FeedFrameKind.Control, null)]
    [InlineData("okx", "subscribe-error.json", FeedFrameKind.Error, "60018")]
    public void Parse_ProtocolTraffic_NoTradeAndItsKind(string exchange, string fixture, FeedFrameKind kind, string? problem)
    {
        var trades = new List<Tick>();

        var frame = Parse(exchange, LiveFrames.Fixture(exchange, fixture), trades);

        Assert.Equal(kind, frame.Kind);
        Assert.Empty(trades);
        if (problem is not null)
        {
            Assert.Contains(problem, frame.Problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Okx_Trades_TheAggregatedTradeWithTheLastFillsId()
    {
        var trades = new List<Tick>();

        var frame = OkxProtocol.Parse(LiveFrames.Fixture("okx", "trades.json"), LiveFrames.Received, trades);

        Assert.Equal(new FeedFrame(FeedFrameKind.Trades, 1), frame);
        var tick = Assert.Single(trades);
        Assert.Equal((InstrumentKey.Parse("okx:BTCUSDT"), 89512.4m, "0.00120000", 130639474L), (tick.Instrument, tick.Price, tick.Quantity.ToString(CultureInfo.InvariantCulture), tick.TradeId));
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1765116000121), tick.ExchangeTime);
    }

    [Fact]
    public void Okx_TextPong_Control() => Assert.Equal(FeedFrameKind.Control, OkxProtocol.Parse("pong"u8, LiveFrames.Received, []).Kind);

    [Theory]
    [InlineData("bybit", "", "empty frame")]
    [InlineData("bybit", "pong", "not JSON")]
    [InlineData("bybit", """{"type":"snapshot"}""", "neither a reply nor a topic message")]
    [InlineData("bybit", """{"topic":"orderbook.50.BTCUSDT","data":{}}""", "unknown topic")]
    [InlineData("bybit", """{"topic":"publicTrade.BTCUSDT","data":[{"T":1765116000121,"s":"BTCUSDT","v":"1","p":"1","i":"20f43950-d8dd-5b31-9112-a178eb6023af"}]}""", "numeric trade id")]
    [InlineData("bybit", """{"topic":"publicTrade.BTCUSDT","data":[{"T":1765116000121,"s":"BTCUSDT","v":"1","p":"0","i":"1"}]}""", "positive price")]
    [InlineData("bybit", """{"topic":"publicTrade.BTCUSDT","data":[{"T":"1765116000121","s":"BTCUSDT","v":"1","p":"1","i":"1"}]}""", "trade time")]
    [InlineData("okx", "", "empty frame")]
    [InlineData("okx", "ping", "not JSON")]
    [InlineData("okx", """{"data":[]}""", "neither an event nor a channel push")]
    [InlineData("okx", """{"arg":{"channel":"books","instId":"BTC-USDT"},"data":[]}""", "unknown channel 'books'")]
    [InlineData("okx", """{"arg":{"channel":"trades"},"data":[{"instId":"BTCUSDT","tradeId":"1","px":"1","sz":"1","ts":"1765116000121"}]}""", "BASE-QUOTE")]
    [InlineData("okx", """{"arg":{"channel":"trades"},"data":[{"instId":"BTC-USDT","tradeId":1,"px":"1","sz":"1","ts":"1765116000121"}]}""", "numeric tradeId")]
    [InlineData("okx", """{"arg":{"channel":"trades"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1","sz":"-2","ts":"1765116000121"}]}""", "without a sz")]
    [InlineData("okx", """{"arg":{"channel":"trades"},"data":[{"instId":"BTC-USDT","tradeId":"1","px":"1","sz":"1","ts":"soon"}]}""", "without a ts")]
    public void Parse_NotTheProtocol_MalformedWithTheReasonAndNoTrade(string exchange, string text, string reason)
    {
        var trades = new List<Tick>();

        var frame = Parse(exchange, Encoding.UTF8.GetBytes(text), trades);

        Assert.Equal(FeedFrameKind.Malformed, frame.Kind);
        Assert.Contains(reason, frame.Problem, StringComparison.Ordinal);
        Assert.Empty(trades);
    }

    [Fact]
    public void Requests_Instruments_TheProtocolsSubscribeFrames()
    {
        Assert.Equal(
            """{"op":"subscribe","req_id":"1","args":["publicTrade.BTCUSDT","publicTrade.ETHUSDT"]}""",
            BybitProtocol.SubscribeRequest("1", [InstrumentKey.Parse("bybit:BTCUSDT"), InstrumentKey.Parse("bybit:ETHUSDT")]));
        Assert.Equal(
            """{"op":"subscribe","args":[{"channel":"trades","instId":"BTC-USDT"}]}""",
            OkxProtocol.SubscribeRequest(["BTC-USDT"]));
        Assert.True(OkxProtocol.TryKeyOf("sol-usdt", out var sol));
        Assert.Equal(InstrumentKey.Parse("okx:SOLUSDT"), sol);
        Assert.False(OkxProtocol.TryKeyOf("BTC-USDT-SWAP", out _));
    }

    private static FeedFrame Parse(string exchange, byte[] frame, List<Tick> trades) =>
        exchange == "bybit" ? BybitProtocol.Parse(frame, LiveFrames.Received, trades) : OkxProtocol.Parse(frame, LiveFrames.Received, trades);
}
