using System.Globalization;
using System.Text;
using PriceActors.Grains;
using PriceActors.Grains.Feeds.Live;

namespace PriceActors.Tests.Grains.Feeds.Live;

/// <summary><see cref="CoinbaseProtocol"/> on frames in the documented shapes (Fixtures/coinbase/README.md) and on garbage.</summary>
public sealed class CoinbaseProtocolTests
{
    [Fact]
    public void Parse_MarketTradesUpdate_EveryTradeWithItsDigitsIdAndTime()
    {
        var trades = new List<Tick>();

        var frame = CoinbaseProtocol.Parse(LiveFrames.Fixture("coinbase", "market-trades-update.json"), LiveFrames.Received, trades);

        Assert.Equal(new FeedFrame(FeedFrameKind.Trades, 2), frame);
        Assert.All(trades, t => Assert.Equal(InstrumentKey.Parse("coinbase:BTCUSD"), t.Instrument));
        Assert.Equal([902345671L, 902345672L], trades.Select(t => t.TradeId));
        Assert.Equal(("89512.40", "0.00120000"), (trades[0].Price.ToString(CultureInfo.InvariantCulture), trades[0].Quantity.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(new DateTimeOffset(2025, 12, 7, 14, 0, 0, TimeSpan.Zero).AddTicks(1_253_780), trades[1].ExchangeTime);
    }

    [Theory]
    [InlineData("market-trades-snapshot.json", FeedFrameKind.Trades, 1)]
    [InlineData("subscriptions.json", FeedFrameKind.Control, 0)]
    [InlineData("heartbeats.json", FeedFrameKind.Control, 0)]
    [InlineData("error.json", FeedFrameKind.Error, 0)]
    public void Parse_OtherMessages_TheirKind(string fixture, FeedFrameKind kind, int count)
    {
        var trades = new List<Tick>();

        var frame = CoinbaseProtocol.Parse(LiveFrames.Fixture("coinbase", fixture), LiveFrames.Received, trades);

        Assert.Equal((kind, count), (frame.Kind, trades.Count));
    }

    [Theory]
    [InlineData("", "empty frame")]
    [InlineData("{\"channel\":\"market_trades\"", "not JSON")]
    [InlineData("""{"events":[]}""", "neither an error nor a channel message")]
    [InlineData("""{"channel":"level2","events":[]}""", "unknown channel 'level2'")]
    [InlineData("""{"channel":"market_trades","events":{}}""", "without an events array")]
    [InlineData("""{"channel":"market_trades","events":[7]}""", "an event that is not an object")]
    [InlineData("""{"channel":"market_trades","events":[{"type":"update"}]}""", "without a trades array")]
    [InlineData("""{"channel":"market_trades","events":[{"trades":[{"trade_id":"1","product_id":"BTCUSD","price":"1","size":"1","time":"2025-12-07T14:00:00Z"}]}]}""", "BASE-QUOTE")]
    [InlineData("""{"channel":"market_trades","events":[{"trades":[{"trade_id":1,"product_id":"BTC-USD","price":"1","size":"1","time":"2025-12-07T14:00:00Z"}]}]}""", "numeric trade_id")]
    [InlineData("""{"channel":"market_trades","events":[{"trades":[{"trade_id":"1","product_id":"BTC-USD","price":"1","size":"1","time":"later"}]}]}""", "RFC 3339")]
    public void Parse_NotTheProtocol_MalformedWithTheReasonAndNoTrade(string text, string reason)
    {
        var trades = new List<Tick>();

        var frame = CoinbaseProtocol.Parse(Encoding.UTF8.GetBytes(text), LiveFrames.Received, trades);

        Assert.Equal(FeedFrameKind.Malformed, frame.Kind);
        Assert.Contains(reason, frame.Problem, StringComparison.Ordinal);
        Assert.Empty(trades);
    }

    [Fact]
    public void Parse_BadTradeInALaterEvent_NoneOfTheFramesTrades()
    {
        var trades = new List<Tick>();
        var text = """{"channel":"market_trades","events":[{"trades":[{"trade_id":"1","product_id":"BTC-USD","price":"1","size":"1","time":"2025-12-07T14:00:00Z"}]},{"trades":[{"trade_id":"2","product_id":"BTC-USD","price":"0","size":"1","time":"2025-12-07T14:00:00Z"}]}]}""";

        Assert.Equal(FeedFrameKind.Malformed, CoinbaseProtocol.Parse(Encoding.UTF8.GetBytes(text), LiveFrames.Received, trades).Kind);
        Assert.Empty(trades);
    }

    [Fact]
    public void SubscribeRequest_Products_MarketTradesChannel() =>
        Assert.Equal(
            """{"type":"subscribe","product_ids":["BTC-USD","ETH-USD"],"channel":"market_trades"}""",
            CoinbaseProtocol.SubscribeRequest(["BTC-USD", "ETH-USD"]));
}
