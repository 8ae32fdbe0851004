using System.Globalization;
using System.Text;
using PriceActors.Grains;
using PriceActors.Grains.Feeds.Live;

namespace PriceActors.Tests.Grains.Feeds.Live;

/// <summary><see cref="NdjsonProtocol"/>: one trade object a line, field names configured.</summary>
public sealed class NdjsonProtocolTests
{
    private static readonly NdjsonFormat Default = new("local1");
    private static readonly DateTimeOffset Received = LiveFrames.Received;

    [Fact]
    public void Parse_DefaultFields_TheTradeWithItsDigitsIdAndTime()
    {
        var trades = new List<Tick>();

        var frame = Parse("""{"symbol":"BTC-USD","price":89512.3400,"quantity":"0.0100","timestamp":1765116000121,"id":42}""", Default, trades);

        Assert.Equal(new FeedFrame(FeedFrameKind.Trades, 1), frame);
        var tick = Assert.Single(trades);
        Assert.Equal(InstrumentKey.Parse("local1:BTCUSD"), tick.Instrument);
        Assert.Equal(("89512.3400", "0.0100"), (tick.Price.ToString(CultureInfo.InvariantCulture), tick.Quantity.ToString(CultureInfo.InvariantCulture)));
        Assert.Equal((42L, DateTimeOffset.FromUnixTimeMilliseconds(1765116000121), Received), (tick.TradeId, tick.ExchangeTime, tick.ReceiveTime));
    }

    [Fact]
    public void Parse_ConfiguredFieldsIsoTimeAndNoId_TheFeedNumbersTheTrade()
    {
        var format = new NdjsonFormat("local2", Symbol: "s", Price: "p", Quantity: "q", Timestamp: "ts", TradeId: "tid");
        var trades = new List<Tick>();

        var frame = Parse("""{"s":"eth/usdt","p":"3051.25","q":2,"ts":"2025-12-07T14:00:00.5+01:00"}""", format, trades, _ => 7);

        Assert.Equal(FeedFrameKind.Trades, frame.Kind);
        var tick = Assert.Single(trades);
        Assert.Equal((InstrumentKey.Parse("local2:ETHUSDT"), 3051.25m, 2m, 7L), (tick.Instrument, tick.Price, tick.Quantity, tick.TradeId));
        Assert.Equal(new DateTimeOffset(2025, 12, 7, 13, 0, 0, 500, TimeSpan.Zero), tick.ExchangeTime);
    }

    [Theory]
    [InlineData("BTCUSDT", "BTCUSDT")]
    [InlineData("btc-usd", "BTCUSD")]
    [InlineData("BTC/USD", "BTCUSD")]
    [InlineData("BTC_USDT", "BTCUSDT")]
    public void CanonicalSymbol_NativeForms_BaseAndQuoteUpperCaseWithoutSeparator(string native, string canonical) =>
        Assert.Equal(canonical, NdjsonProtocol.CanonicalSymbol(native));

    [Fact]
    public void Parse_BlankLine_NothingAndNoComplaint()
    {
        var trades = new List<Tick>();

        Assert.Equal(FeedFrameKind.Control, Parse("   \r", Default, trades).Kind);
        Assert.Empty(trades);
    }

    [Theory]
    [InlineData("{\"symbol\":\"BTCUSD\",\"price\":1", "not JSON")]
    [InlineData("garbage", "not JSON")]
    [InlineData("\"BTCUSD\"", "not a JSON object")]
    [InlineData("""{"price":1,"quantity":1,"timestamp":1765116000121}""", "no valid 'symbol'")]
    [InlineData("""{"symbol":"BTC USD","price":1,"quantity":1,"timestamp":1765116000121}""", "no valid 'symbol'")]
    [InlineData("""{"symbol":"BTCUSD","price":0,"quantity":1,"timestamp":1765116000121}""", "without a positive 'price'")]
    [InlineData("""{"symbol":"BTCUSD","price":"abc","quantity":1,"timestamp":1765116000121}""", "without a positive 'price'")]
    [InlineData("""{"symbol":"BTCUSD","price":1,"quantity":true,"timestamp":1765116000121}""", "without a 'quantity'")]
    [InlineData("""{"symbol":"BTCUSD","price":1,"quantity":1,"timestamp":"yesterday"}""", "without a valid 'timestamp'")]
    [InlineData("""{"symbol":"BTCUSD","price":1,"quantity":1,"timestamp":-5}""", "without a valid 'timestamp'")]
    [InlineData("""{"symbol":"BTCUSD","price":1,"quantity":1,"timestamp":1765116000121,"id":"x"}""", "not a whole number")]
    [InlineData("""{"symbol":"BTCUSD","price":1,"quantity":1,"timestamp":1765116000121,"id":1.5}""", "not a whole number")]
    public void Parse_NotATradeLine_MalformedWithTheReasonAndNoTrade(string line, string reason)
    {
        var trades = new List<Tick>();

        var frame = Parse(line, Default, trades);

        Assert.Equal(FeedFrameKind.Malformed, frame.Kind);
        Assert.Contains(reason, frame.Problem, StringComparison.Ordinal);
        Assert.Empty(trades);
    }

    private static FeedFrame Parse(string line, NdjsonFormat format, List<Tick> trades, Func<InstrumentKey, long>? assignId = null) =>
        NdjsonProtocol.Parse(Encoding.UTF8.GetBytes(line), format, Received, trades, assignId ?? (_ => throw new InvalidOperationException("the line has an id")));
}
