using PriceActors.Grains.Pairs;

namespace PriceActors.Tests.Grains.Pairs;

public sealed class TickWindowTests
{
    [Fact]
    public void NewestUtcTicks_Empty_IsMinValue()
    {
        var window = new TickWindow(TimeSpan.FromMinutes(1));

        Assert.Equal(long.MinValue, window.NewestUtcTicks);
        Assert.Equal(0, window.Aggregate(long.MinValue, long.MaxValue).Count);
    }

    [Fact]
    public void Add_TradeOlderThanNewest_IsKeptAtNewestTime()
    {
        var window = new TickWindow(TimeSpan.FromMinutes(1));
        window.Add(1_000, 10m, 1m);

        window.Add(500, 20m, 1m);

        Assert.Equal(1_000, window.NewestUtcTicks);
        Assert.Equal(0, window.Aggregate(0, 1_000).Count);
        Assert.Equal(2, window.Aggregate(1_000, 1_001).Count);
    }

    [Fact]
    public void Aggregate_Period_IncludesFromAndExcludesTo()
    {
        var window = new TickWindow(TimeSpan.FromMinutes(1));
        window.Add(5, 1m, 1m);
        window.Add(10, 2m, 1m);
        window.Add(15, 4m, 1m);

        var aggregate = window.Aggregate(5, 15);

        Assert.Equal((2L, 1m, 2m), (aggregate.Count, aggregate.First, aggregate.Last));
    }

    [Fact]
    public void Prune_TradeExactlyAtWindowStart_IsKept()
    {
        var window = new TickWindow(TimeSpan.FromTicks(10));
        window.Add(0, 1m, 1m);
        window.Add(5, 2m, 1m);
        window.Add(10, 3m, 1m);

        window.Prune(15);

        Assert.Equal(2, window.Count);
        Assert.Equal(2m, window.Aggregate(long.MinValue, long.MaxValue).First);
    }

    [Fact]
    public void Prune_EverythingOld_EmptiesAndAcceptsNewTrades()
    {
        var window = new TickWindow(TimeSpan.FromTicks(10));
        window.Add(0, 1m, 1m);
        window.Add(5, 2m, 1m);

        window.Prune(100);
        window.Add(3, 7m, 1m);

        Assert.Equal(1, window.Count);
        Assert.Equal(3, window.NewestUtcTicks);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Aggregate_RandomTradesAndPrunes_MatchesBruteForce(int seed)
    {
        var random = new Random(seed);
        var length = TimeSpan.FromTicks(1_000);
        var window = new TickWindow(length);
        var all = new List<(long Time, decimal Price, decimal Quantity)>();
        long time = 0, windowStart = long.MinValue;

        for (var step = 0; step < 3_000; step++)
        {
            time += random.Next(0, 20);
            var trade = (time, random.Next(1, 10_000) / 100m, random.Next(0, 1_000) / 1_000m);
            window.Add(trade.time, trade.Item2, trade.Item3);
            all.Add(trade);
            if (random.Next(10) == 0)
            {
                var now = time - random.Next(0, 200);
                window.Prune(now);
                windowStart = Math.Max(windowStart, now - length.Ticks);
            }

            var from = Math.Max(windowStart, time - random.Next(0, 1_500));
            var to = from + random.Next(0, 1_500);
            var expected = all.Where(t => t.Time >= from && t.Time < to).ToList();
            var actual = window.Aggregate(from, to);
            Assert.Equal(expected.Count, actual.Count);
            if (expected.Count > 0)
            {
                Assert.Equal(expected.Max(t => t.Price), actual.High);
                Assert.Equal(expected.Min(t => t.Price), actual.Low);
                Assert.Equal(expected[0].Price, actual.First);
                Assert.Equal(expected[^1].Price, actual.Last);
                Assert.Equal(expected.Sum(t => t.Quantity), actual.Volume);
                Assert.Equal(expected.Sum(t => t.Price * t.Quantity), actual.SumNotional);
            }
        }
    }
}
