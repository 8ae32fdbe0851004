using System.Globalization;
using System.Text;
using PriceActors.Grains;
using PriceActors.Grains.Feeds.Live;

namespace PriceActors.Tests.Grains.Feeds.Live;

/// <summary><see cref="KrakenProtocol"/> on frames in the documented shapes (Fixtures/kraken/README.md) and on garbage.</summary>
public sealed class KrakenProtocolTests
{
    [Fact]
    public void Parse_TradeUpdate_EveryTradeInOrderWithTheLiteralsDigits()
    {
        var trades = new List<Tick>();

        var frame = KrakenProtocol.Parse(LiveFrames.Fixture("kraken", "trade-update.json"), LiveFrames.Received, trades);

        Assert.Equal(new FeedFrame(FeedFrameKind.Trades, 2), frame);
        Assert.All(trades, t => Assert.Equal(InstrumentKey.Parse("kraken:BTCUSD"), t.Instrument));
        Assert.Equal([81234567L, 81234568L], trades.Select(t => t.TradeId));
        Assert.Equal(["89512.40", "0.00120000"], [trades[0].Price.ToString(CultureInfo.InvariantCulture), trades[0].Quantity.ToString(CultureInfo.InvariantCulture)]);
        Assert.Equal(new DateTimeOffset(2025, 12, 7, 14, 0, 0, 121, TimeSpan.Zero), trades[0].ExchangeTime);
        Assert.Equal(new DateTimeOffset(2025, 12, 7, 14, 0, 0, TimeSpan.Zero).AddTicks(1_253_780), trades[1].ExchangeTime);
    }

    [Fact]
    public void Parse_TradeSnapshot_ItsTrades()
    {
        var trades = new List<Tick>();

        var frame = KrakenProtocol.Parse(LiveFrames.Fixture("kraken", "trade-snapshot.json"), LiveFrames.Received, trades);

        Assert.Equal(FeedFrameKind.Trades, frame.Kind);
        Assert.Equal((InstrumentKey.Parse("kraken:ETHUSD"), 3051.25m, 1.5m, 40111L), (trades[0].Instrument, trades[0].Price, trades[0].Quantity, trades[0].TradeId));
    }

    [Theory]
    [InlineData("subscribe-ack.json", FeedFrameKind.Control, null)]
    [InlineData("subscribe-error.json", FeedFrameKind.Error, "Currency pair not supported")]
    [InlineData("heartbeat.json", FeedFrameKind.Control, null)]
    [InlineData("status.json", FeedFrameKind.Control, null)]
    [InlineData("pong.json", FeedFrameKind.Control, null)]
    public void Parse_ProtocolTraffic_NoTradeAndItsKind(string fixture, FeedFrameKind kind, string? problem)
    {
        var trades = new List<Tick>();

        var frame = KrakenProtocol.Parse(LiveFrames.Fixture("kraken", fixture), LiveFrames.Received, trades);

        Assert.Equal(kind, frame.Kind);
        Assert.Empty(trades);
        if (problem is not null)
        {
            Assert.Contains(problem, frame.Problem, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("", "empty frame")]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD""", "not JSON")]
    [InlineData("""{"type":"update"}""", "neither a reply nor a channel message")]
    [InlineData("""{"channel":"book","type":"update","data":[]}""", "unknown channel 'book'")]
    [InlineData("""{"channel":"trade","type":"update","data":{}}""", "without a data array")]
    [InlineData("""{"channel":"trade","type":"update","data":[1]}""", "not an object")]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTCUSD","price":1,"qty":1,"trade_id":1,"timestamp":"2025-12-07T14:00:00Z"}]}""", "BASE/QUOTE")]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","price":1,"qty":1,"timestamp":"2025-12-07T14:00:00Z"}]}""", "without a trade id")]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","price":"x","qty":1,"trade_id":1,"timestamp":"2025-12-07T14:00:00Z"}]}""", "without a positive price")]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","price":1,"qty":null,"trade_id":1,"timestamp":"2025-12-07T14:00:00Z"}]}""", "without a quantity")]
    [InlineData("""{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","price":1,"qty":1,"trade_id":1,"timestamp":1765116000}]}""", "RFC 3339")]
    public void Parse_NotTheProtocol_MalformedWithTheReasonAndNoTrade(string text, string reason)
    {
        var trades = new List<Tick>();

        var frame = KrakenProtocol.Parse(Encoding.UTF8.GetBytes(text), LiveFrames.Received, trades);

        Assert.Equal(FeedFrameKind.Malformed, frame.Kind);
        Assert.Contains(reason, frame.Problem, StringComparison.Ordinal);
        Assert.Empty(trades);
    }

    [Fact]
    public void Parse_OneBadTradeAmongGoodOnes_NoneOfTheFramesTrades()
    {
        var trades = new List<Tick> { default };
        var text = """{"channel":"trade","type":"update","data":[{"symbol":"BTC/USD","price":1,"qty":1,"trade_id":1,"timestamp":"2025-12-07T14:00:00Z"},{"symbol":"BTC/USD","price":-1,"qty":1,"trade_id":2,"timestamp":"2025-12-07T14:00:00Z"}]}""";

        var frame = KrakenProtocol.Parse(Encoding.UTF8.GetBytes(text), LiveFrames.Received, trades);

        Assert.Equal(FeedFrameKind.Malformed, frame.Kind);
        Assert.Single(trades);
    }

    [Theory]
    [InlineData("BTC/USD", "kraken:BTCUSD")]
    [InlineData("eth/eur", "kraken:ETHEUR")]
    public void TryKeyOf_BaseSlashQuote_KeyWithoutTheSlash(string native, string key)
    {
        Assert.True(KrakenProtocol.TryKeyOf(native, out var instrument));
        Assert.Equal(InstrumentKey.Parse(key), instrument);
    }

    [Theory]
    [InlineData("BTCUSD")]
    [InlineData("/USD")]
    [InlineData("BTC/")]
    [InlineData("A/B/C")]
    public void TryKeyOf_NotBaseSlashQuote_False(string native) => Assert.False(KrakenProtocol.TryKeyOf(native, out _));

    [Fact]
    public void SubscribeRequest_Symbols_TradeChannelWithSnapshot()
    {
        Assert.Equal(
            """{"method":"subscribe","params":{"channel":"trade","symbol":["BTC/USD","ETH/USD"],"snapshot":true},"req_id":5}""",
            KrakenProtocol.SubscribeRequest(5, ["BTC/USD", "ETH/USD"]));
        Assert.Equal(
            """{"method":"unsubscribe","params":{"channel":"trade","symbol":["BTC/USD"]},"req_id":6}""",
            KrakenProtocol.SubscribeRequest(6, ["BTC/USD"], unsubscribe: true));
    }
}
