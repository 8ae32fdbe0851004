using System.Globalization;
using System.Text;
using PriceActors.Grains;
using PriceActors.Grains.Feeds.Live;

namespace PriceActors.Tests.Grains.Feeds.Live;

/// <summary><see cref="CoinbaseExchangeProtocol"/> (the Exchange feed's <c>matches</c>) on documented-shape fixtures and on garbage.</summary>
public sealed class CoinbaseExchangeProtocolTests
{
    [Fact]
    public void Parse_Match_OneTradeWithItsDigitsIdAndTime()
    {
        var trades = new List<Tick>();

        var frame = CoinbaseExchangeProtocol.Parse(LiveFrames.Fixture("coinbase", "exchange-match.json"), LiveFrames.Received, trades);

        Assert.Equal(new FeedFrame(FeedFrameKind.Trades, 1), frame);
        var tick = Assert.Single(trades);
        Assert.Equal((InstrumentKey.Parse("coinbase:BTCUSD"), "89512.40", "0.00120000", 902345671L), (tick.Instrument, tick.Price.ToString(CultureInfo.InvariantCulture), tick.Quantity.ToString(CultureInfo.InvariantCulture), tick.TradeId));
        Assert.Equal(new DateTimeOffset(2025, 12, 7, 14, 0, 0, 121, TimeSpan.Zero), tick.ExchangeTime);
    }

    [Theory]
    [InlineData("exchange-subscriptions.json", FeedFrameKind.Control)]
    [InlineData("error.json", FeedFrameKind.Error)]
    public void Parse_OtherMessages_TheirKindAndNoTrade(string fixture, FeedFrameKind kind)
    {
        var trades = new List<Tick>();

        Assert.Equal(kind, CoinbaseExchangeProtocol.Parse(LiveFrames.Fixture("coinbase", fixture), LiveFrames.Received, trades).Kind);
        Assert.Empty(trades);
    }

    [Theory]
    [InlineData("""{"trade_id":1}""", "no message type")]
    [InlineData("""{"type":"received"}""", "unknown message type 'received'")]
    [InlineData("""{"type":"match","trade_id":"1","product_id":"BTC-USD","price":"1","size":"1","time":"2025-12-07T14:00:00Z"}""", "without a trade_id")]
    [InlineData("""{"type":"last_match","trade_id":1,"product_id":"BTC-USD","price":"1","size":"1","time":"noon"}""", "RFC 3339")]
    public void Parse_NotAMatch_MalformedWithTheReason(string text, string reason)
    {
        var trades = new List<Tick>();

        var frame = CoinbaseExchangeProtocol.Parse(Encoding.UTF8.GetBytes(text), LiveFrames.Received, trades);

        Assert.Equal(FeedFrameKind.Malformed, frame.Kind);
        Assert.Contains(reason, frame.Problem, StringComparison.Ordinal);
        Assert.Empty(trades);
    }

    [Fact]
    public void SubscribeRequest_Products_MatchesChannel() =>
        Assert.Equal("""{"type":"subscribe","product_ids":["BTC-USD"],"channels":["matches"]}""", CoinbaseExchangeProtocol.SubscribeRequest(["BTC-USD"]));
}
