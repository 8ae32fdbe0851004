using PriceActors.Grains;

namespace PriceActors.Tests.Grains;

public sealed class InstrumentKeyTests
{
    [Fact]
    public void Parse_MixedCase_NormalizesExchangeLowerAndSymbolUpper()
    {
        var key = InstrumentKey.Parse("Binance:btcUsdt");

        Assert.Equal(("binance", "BTCUSDT", "binance:BTCUSDT"), (key.Exchange, key.Symbol, key.Value));
        Assert.Equal("binance:BTCUSDT", key.ToString());
    }

    [Theory]
    [InlineData("okx:BTC-USDT_PERP.1", "okx", "BTC-USDT_PERP.1")]
    [InlineData("a:b", "a", "B")]
    [InlineData("gate.io:1000SATS_usdt", "gate.io", "1000SATS_USDT")]
    public void TryParse_LettersDigitsDotUnderscoreDash_Accepted(string text, string exchange, string symbol)
    {
        Assert.True(InstrumentKey.TryParse(text, out var key, out var error));
        Assert.Null(error);
        Assert.Equal((exchange, symbol), (key.Exchange, key.Symbol));
    }

    [Fact]
    public void TryCreate_PartsOfMaxLength_Accepted()
    {
        var exchange = new string('e', InstrumentKey.MaxPartLength);
        var symbol = new string('S', InstrumentKey.MaxPartLength);

        Assert.True(InstrumentKey.TryCreate(exchange, symbol, out var key, out _));
        Assert.Equal($"{exchange}:{symbol}", key.Value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData(":")]
    [InlineData("binance")]
    [InlineData(":BTCUSDT")]
    [InlineData("binance:")]
    [InlineData("binance:BTC:USDT")]
    [InlineData("bin ance:BTCUSDT")]
    [InlineData("binance: BTCUSDT")]
    [InlineData("binance:BTCUSDT ")]
    [InlineData("binance:BTC/USDT")]
    [InlineData("bínance:BTCUSDT")]
    [InlineData("binance:BTCUSDТ")] // Cyrillic Т
    [InlineData("binance:123456789012345678901234567890123")]
    [InlineData("123456789012345678901234567890123:BTCUSDT")]
    public void TryParse_Invalid_ReturnsFalseWithError(string? text)
    {
        Assert.False(InstrumentKey.TryParse(text, out var key, out var error));
        Assert.False(string.IsNullOrWhiteSpace(error));
        Assert.Equal(default, key);
        Assert.Throws<FormatException>(() => InstrumentKey.Parse(text!));
    }

    [Theory]
    [InlineData("binance", "expected 'exchange:SYMBOL'")]
    [InlineData("bin ance:BTCUSDT", "Exchange 'bin ance'")]
    [InlineData("binance:BTC/USDT", "Symbol 'BTC/USDT'")]
    public void TryParse_Invalid_ErrorNamesTheBadPart(string text, string expected)
    {
        InstrumentKey.TryParse(text, out _, out var error);

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "BTCUSDT")]
    [InlineData("binance", null)]
    [InlineData("", "BTCUSDT")]
    [InlineData("binance", "BTC USDT")]
    public void Create_InvalidPart_ThrowsFormatException(string? exchange, string? symbol)
    {
        Assert.False(InstrumentKey.TryCreate(exchange, symbol, out _, out _));
        Assert.Throws<FormatException>(() => InstrumentKey.Create(exchange!, symbol!));
    }

    [Fact]
    public void Equals_SameInstrumentWrittenDifferently_IsEqual()
    {
        var parsed = InstrumentKey.Parse("BINANCE:btcusdt");
        var created = InstrumentKey.Create("binance", "BTCUSDT");

        Assert.True(parsed == created);
        Assert.False(parsed != created);
        Assert.True(parsed.Equals((object)created));
        Assert.Equal(parsed.GetHashCode(), created.GetHashCode());
    }

    [Fact]
    public void Equals_OtherInstrumentOrType_IsNotEqual()
    {
        var key = InstrumentKey.Parse("binance:BTCUSDT");

        Assert.True(key != InstrumentKey.Parse("bybit:BTCUSDT"));
        Assert.True(key != InstrumentKey.Parse("binance:ETHUSDT"));
        Assert.False(key.Equals("binance:BTCUSDT"));
        Assert.False(key.Equals(null));
    }

    [Fact]
    public void Default_NotCreated_IsEmptyAndEqualToDefault()
    {
        var key = default(InstrumentKey);

        Assert.Equal(string.Empty, key.ToString());
        Assert.Equal(0, key.GetHashCode());
        Assert.True(key == default);
        Assert.True(key != InstrumentKey.Parse("binance:BTCUSDT"));
    }
}
