using System.Globalization;
using System.Text;
using PriceActors.Grains;
using PriceActors.Grains.Feeds.Live;

namespace PriceActors.Tests.Grains.Feeds.Live;

/// <summary><see cref="BinanceProtocol"/> on frames in the documented shapes (Fixtures/binance/README.md) and on garbage.</summary>
public sealed class BinanceProtocolTests
{
    private static readonly DateTimeOffset Received = LiveFrames.Received;

    [Fact]
    public void Parse_RawTradeEvent_OneTickWithTheExactDigitsIdAndTradeTime()
    {
        var trades = new List<Tick>();

        var frame = BinanceProtocol.Parse(Fixture("trade.json"), Received, trades);

        Assert.Equal(new FeedFrame(FeedFrameKind.Trades, 1), frame);
        var tick = Assert.Single(trades);
        Assert.Equal(InstrumentKey.Parse("binance:BTCUSDT"), tick.Instrument);
        Assert.Equal(("89512.34000000", "0.00120000"), (tick.Price.ToString(CultureInfo.InvariantCulture), tick.Quantity.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal(5321901234, tick.TradeId);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1765116000121), tick.ExchangeTime);
        Assert.Equal(Received, tick.ReceiveTime);
    }

    [Fact]
    public void Parse_CombinedStreamWrapper_TheWrappedTrade()
    {
        var trades = new List<Tick>();

        var frame = BinanceProtocol.Parse(Fixture("combined-trade.json"), Received, trades);

        Assert.Equal(FeedFrameKind.Trades, frame.Kind);
        var tick = Assert.Single(trades);
        Assert.Equal((InstrumentKey.Parse("binance:ETHUSDT"), 3051.25000000m, 1.5m, 2987654321L), (tick.Instrument, tick.Price, tick.Quantity, tick.TradeId));
        Assert.Equal(8, tick.Price.Scale);
    }

    [Theory]
    [InlineData("subscribe-ack.json", FeedFrameKind.Control, null)]
    [InlineData("subscribe-error.json", FeedFrameKind.Error, "unknown variant")]
    [InlineData("server-shutdown.json", FeedFrameKind.Shutdown, null)]
    public void Parse_ProtocolTraffic_NoTradeAndItsKind(string fixture, FeedFrameKind kind, string? problem)
    {
        var trades = new List<Tick>();

        var frame = BinanceProtocol.Parse(Fixture(fixture), Received, trades);

        Assert.Equal(kind, frame.Kind);
        Assert.Empty(trades);
        if (problem is not null)
        {
            Assert.Contains(problem, frame.Problem, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parse_ErrorAtTopLevel_AnError()
    {
        var frame = BinanceProtocol.Parse("""{"code":0,"msg":"Unknown property","id":3}"""u8, Received, []);

        Assert.Equal(new FeedFrame(FeedFrameKind.Error, 0, "Unknown property"), frame);
    }

    [Theory]
    [InlineData("", "empty frame")]
    [InlineData("  \n", "empty frame")]
    [InlineData("hello", "not JSON")]
    [InlineData("""{"e":"trade","s":"BTCUSDT","t":1,"p":"1.0""", "not JSON")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("""{"stream":"btcusdt@trade","data":"x"}""", "data is not an object")]
    [InlineData("""{"s":"BTCUSDT"}""", "no event type")]
    [InlineData("""{"e":"aggTrade","s":"BTCUSDT"}""", "unknown event type 'aggTrade'")]
    [InlineData("""{"e":"trade","s":"BTC/USDT","t":1,"p":"1","q":"1","T":1765116000121}""", "without a valid symbol")]
    [InlineData("""{"e":"trade","s":"BTCUSDT","t":"1","p":"1","q":"1","T":1765116000121}""", "without a trade id")]
    [InlineData("""{"e":"trade","s":"BTCUSDT","t":1,"p":"-1","q":"1","T":1765116000121}""", "without a positive price")]
    [InlineData("""{"e":"trade","s":"BTCUSDT","t":1,"p":1.5,"q":"1","T":1765116000121}""", "without a positive price")]
    [InlineData("""{"e":"trade","s":"BTCUSDT","t":1,"p":"1e5","q":"1","T":1765116000121}""", "without a positive price")]
    [InlineData("""{"e":"trade","s":"BTCUSDT","t":1,"p":"1","q":"x","T":1765116000121}""", "without a quantity")]
    [InlineData("""{"e":"trade","s":"BTCUSDT","t":1,"p":"1","q":"1"}""", "without a trade time")]
    [InlineData("""{"e":"trade","s":"BTCUSDT","t":1,"p":"1","q":"1","T":99999999999999999}""", "without a trade time")]
    public void Parse_NotTheProtocol_MalformedWithTheReasonAndNoTrade(string text, string reason)
    {
        var trades = new List<Tick>();

        var frame = BinanceProtocol.Parse(Encoding.UTF8.GetBytes(text), Received, trades);

        Assert.Equal(FeedFrameKind.Malformed, frame.Kind);
        Assert.Contains(reason, frame.Problem, StringComparison.Ordinal);
        Assert.Empty(trades);
    }

    [Fact]
    public void Streams_Instruments_LowerCaseTradeStreamsCombinedAndInASubscribeRequest()
    {
        InstrumentKey[] instruments = [InstrumentKey.Parse("binance:BTCUSDT"), InstrumentKey.Parse("binance:ETHUSDT")];

        Assert.Equal("/stream?streams=btcusdt@trade/ethusdt@trade", BinanceProtocol.CombinedPath(instruments));
        Assert.Equal("""{"method":"SUBSCRIBE","params":["btcusdt@trade","ethusdt@trade"],"id":7}""", BinanceProtocol.SubscribeRequest(7, instruments));
        Assert.Equal("""{"method":"UNSUBSCRIBE","params":["btcusdt@trade"],"id":8}""", BinanceProtocol.SubscribeRequest(8, instruments[..1], unsubscribe: true));
    }

    private static byte[] Fixture(string name) => LiveFrames.Fixture("binance", name);
}
