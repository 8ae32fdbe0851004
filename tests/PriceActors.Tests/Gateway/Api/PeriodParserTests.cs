using PriceActors.Gateway.Api;

namespace PriceActors.Tests.Gateway.Api;

public sealed class PeriodParserTests
{
    [Theory]
    [InlineData("90s", 90)]
    [InlineData("1.5s", 1.5)]
    [InlineData("5m", 300)]
    [InlineData("5M", 300)]
    [InlineData("1h", 3600)]
    [InlineData("1d", 86400)]
    [InlineData("2D", 172800)]
    [InlineData("PT5M", 300)]
    [InlineData("pt90s", 90)]
    [InlineData("00:05:00", 300)]
    public void TryParse_ValidPeriod_ReturnsIt(string text, double seconds)
    {
        Assert.True(PeriodParser.TryParse(text, out var period));
        Assert.Equal(TimeSpan.FromSeconds(seconds), period);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("abc")]
    [InlineData("5x")]
    [InlineData("-5m")]
    [InlineData("s")]
    [InlineData("P")]
    [InlineData("PTXM")]
    [InlineData("99999999999999999999h")]
    [InlineData("P99999999999999999999D")]
    [InlineData("123456789012345678901234567890123m")]
    public void TryParse_Invalid_ReturnsFalseWithoutThrowing(string text)
    {
        Assert.False(PeriodParser.TryParse(text, out _));
    }
}
