using PriceActors.Grains;
using PriceActors.Grains.Pairs;

namespace PriceActors.Tests.Grains.Pairs;

public sealed class MinuteBarBuilderTests
{
    private static readonly InstrumentKey Btc = InstrumentKey.Parse("binance:BTCUSDT");
    private static readonly DateTimeOffset TenOClock = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 0)]
    [InlineData(TimeSpan.TicksPerMinute - 1, 0)]
    [InlineData(TimeSpan.TicksPerMinute, TimeSpan.TicksPerMinute)]
    [InlineData((7 * TimeSpan.TicksPerMinute) + 5, 7 * TimeSpan.TicksPerMinute)]
    public void MinuteOf_TimeInMinute_ReturnsStartOfThatMinute(long offset, long expected)
    {
        Assert.Equal(TenOClock.UtcTicks + expected, MinuteBarBuilder.MinuteOf(TenOClock.UtcTicks + offset));
    }

    [Fact]
    public void IsOpen_NoTrade_IsFalse()
    {
        Assert.False(new MinuteBarBuilder(Btc).IsOpen);
    }

    [Fact]
    public void ToBar_Trades_AggregatesThemInOrder()
    {
        var builder = new MinuteBarBuilder(Btc);

        builder.Add(TenOClock.UtcTicks, 2m, 1m, 7);
        builder.Add(TenOClock.UtcTicks, 1m, 1m, 8);
        builder.Add(TenOClock.UtcTicks, 1m, 2m, 9);

        var expected = new MinuteBar("binance", "BTCUSDT", TenOClock, 2m, 2m, 1m, 1m, 1.333333333333m, 1.25m, 3, 4m, 9, Closed: false);
        Assert.True(builder.IsOpen);
        Assert.Equal(expected, builder.ToBar(closed: false));
        Assert.Equal((1m, 2m), (expected.Min, expected.Max));
    }

    [Fact]
    public void ToBar_ZeroVolume_VwapIsTheAverage()
    {
        var builder = new MinuteBarBuilder(Btc);
        builder.Add(TenOClock.UtcTicks, 1m, 0m, 1);
        builder.Add(TenOClock.UtcTicks, 2m, 0m, 2);

        var bar = builder.ToBar(closed: false);

        Assert.Equal(1.5m, bar.Vwap);
        Assert.Equal(0m, bar.Volume);
    }

    [Fact]
    public void Close_OpenBar_ReturnsClosedBarAndStartsEmpty()
    {
        var builder = new MinuteBarBuilder(Btc);
        builder.Add(TenOClock.UtcTicks, 5m, 1m, 1);

        var closed = builder.Close();
        var openAfter = builder.IsOpen;
        builder.Add(TenOClock.UtcTicks + TimeSpan.TicksPerMinute, 6m, 2m, 2);

        Assert.True(closed.Closed);
        Assert.Equal((TenOClock, 1L, 5m), (closed.Minute, closed.Count, closed.Close));
        Assert.False(openAfter);
        var next = builder.ToBar(closed: false);
        Assert.Equal((TenOClock.AddMinutes(1), 1L, 6m, 6m, 2m, 2L), (next.Minute, next.Count, next.Open, next.Low, next.Volume, next.LastSequence));
    }
}
