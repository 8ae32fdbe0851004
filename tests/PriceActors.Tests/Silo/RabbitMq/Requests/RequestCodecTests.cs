using System.Text;
using PriceActors.Grains;
using PriceActors.Silo.RabbitMq.Requests;

namespace PriceActors.Tests.Silo.RabbitMq.Requests;

public sealed class RequestCodecTests
{
    private static readonly DateTimeOffset Minute = new(2026, 11, 21, 10, 15, 0, TimeSpan.Zero);

    public static TheoryData<object> Requests() => new()
    {
        GetLatestPrice.Instance,
        new GetWindowStats(Minute.AddMinutes(-5), Minute.AddTicks(1234567)),
        new GetMinuteBars(15),
        new GetMinuteBars(0),
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void DecodeRequest_EncodedRequest_EqualsTheOriginal(object request)
    {
        var (type, body) = RequestCodec.EncodeRequest(request);

        var (contract, decoded) = RequestCodec.DecodeRequest(type, body);

        Assert.Equal(request.GetType().Name, type);
        Assert.Equal(request.GetType(), contract.RequestType);
        Assert.Equal(request, decoded);
    }

    [Fact]
    public void DecodeReply_PriceWithManyDecimalDigitsAndTrailingZeros_KeepsValueAndScale()
    {
        var price = new PriceUpdated("binance", "BTCUSDT", 96937.1800m, 0.00000000000000000000000001m, Minute.AddTicks(7), long.MaxValue, 1795261516723);

        var decoded = (PriceUpdated)RoundTrip<GetLatestPrice>(price)!;

        Assert.Equal(price, decoded);
        Assert.Equal("96937.1800", decoded.Price.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("0.00000000000000000000000001", decoded.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void DecodeReply_NoLatestPriceYet_IsNullAndNotAnError()
    {
        var (type, body) = RequestCodec.EncodeReply(Contract<GetLatestPrice>(), null);

        var reply = RequestCodec.DecodeReply(type, body);

        Assert.Equal("PriceUpdated", type);
        Assert.Equal(new RequestReply(null, null), reply);
    }

    [Fact]
    public void DecodeReply_WindowStatsWithExtremeDecimals_EqualsTheOriginal()
    {
        var stats = new WindowStats("okx", "TONUSDT", Minute.AddMinutes(-15), Minute, 3, decimal.MaxValue, decimal.MinValue, 5.494419123456m, 5.000000000001m, 1.10m, -0.0m, 79228162514264337593543950.335m);

        var decoded = (WindowStats)RoundTrip<GetWindowStats>(stats)!;

        Assert.Equal(stats, decoded);
        Assert.Equal("1.10", decoded.First!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void DecodeReply_WindowStatsWithoutTrades_KeepsTheNulls()
    {
        var stats = new WindowStats("okx", "TONUSDT", Minute.AddMinutes(-1), Minute, 0, null, null, null, null, null, null, 0m);

        Assert.Equal(stats, RoundTrip<GetWindowStats>(stats));
    }

    [Fact]
    public void DecodeReply_MinuteBarHistory_EqualsTheOriginalBarByBar()
    {
        var closed = new MinuteBar("bybit", "ETHUSDT", Minute.AddMinutes(-1), 3501.212m, 3502.5m, 3500.0001m, 3501.99m, 3501.123456789012m, 3501.2m, 42, 1.000m, 41, true);
        var open = closed with { Minute = Minute, Closed = false, LastSequence = 50, Count = 8 };
        var history = new MinuteBarHistory([closed], open);

        var decoded = (MinuteBarHistory)RoundTrip<GetMinuteBars>(history)!;

        Assert.Equal(history.Closed, decoded.Closed);
        Assert.Equal(history.Open, decoded.Open);
        Assert.Equal("1.000", decoded.Closed[0].Volume.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void DecodeReply_ErrorReply_CarriesTheReason()
    {
        var (type, body) = RequestCodec.EncodeError("pair failed: ünïcode reason");

        Assert.Equal(new RequestReply(null, "pair failed: ünïcode reason"), RequestCodec.DecodeReply(type, body));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("RecordTicks")]
    [InlineData("getlatestprice")]
    public void DecodeRequest_UnknownType_ThrowsFormatExceptionNamingIt(string? type)
    {
        var error = Assert.Throws<FormatException>(() => RequestCodec.DecodeRequest(type, "{}"u8));

        Assert.Contains($"unknown request type '{type}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GetMinuteBars", "{\"limit\":\"many\"}")]
    [InlineData("GetMinuteBars", "not json")]
    [InlineData("GetWindowStats", "null")]
    [InlineData("GetWindowStats", "")]
    public void DecodeRequest_BodyNotTheTypesJson_ThrowsFormatException(string type, string body)
    {
        var error = Assert.Throws<FormatException>(() => RequestCodec.DecodeRequest(type, Encoding.UTF8.GetBytes(body)));

        Assert.Contains(type, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeReply_UnknownType_ThrowsFormatException()
    {
        Assert.Throws<FormatException>(() => RequestCodec.DecodeReply("TicksRecorded", "{}"u8));
    }

    [Fact]
    public void EncodeRequest_TypeNotInTheRegistry_ThrowsNotSupported()
    {
        Assert.Throws<NotSupportedException>(() => RequestCodec.EncodeRequest(new RecordTicks(ReadOnlyMemory<Tick>.Empty)));
    }

    private static object? RoundTrip<TRequest>(object reply)
    {
        var (type, body) = RequestCodec.EncodeReply(Contract<TRequest>(), reply);
        var decoded = RequestCodec.DecodeReply(type, body);
        Assert.Null(decoded.Error);
        return decoded.Value;
    }

    private static RequestContract Contract<TRequest>() => RequestCodec.DecodeRequest(typeof(TRequest).Name, "{}"u8).Contract;
}
