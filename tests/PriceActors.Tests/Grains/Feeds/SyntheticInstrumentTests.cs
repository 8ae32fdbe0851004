using PriceActors.Grains;
using PriceActors.Grains.Feeds;

namespace PriceActors.Tests.Grains.Feeds;

public sealed class SyntheticInstrumentTests
{
    private static readonly InstrumentKey Btc = InstrumentKey.Parse("binance:BTCUSDT");
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void GenerateDue_SameSeedAndStart_IdenticalTicks()
    {
        var first = Generate(Instrument(seed: 42), TimeSpan.FromMinutes(5));
        var second = Generate(Instrument(seed: 42), TimeSpan.FromMinutes(5));

        Assert.NotEmpty(first);
        Assert.Equal(first, second);
    }

    [Fact]
    public void GenerateDue_DifferentSeed_DifferentTicks()
    {
        var first = Generate(Instrument(seed: 42), TimeSpan.FromMinutes(5));
        var second = Generate(Instrument(seed: 43), TimeSpan.FromMinutes(5));

        Assert.NotEqual(first.Select(t => (t.ExchangeTime, t.Price)), second.Select(t => (t.ExchangeTime, t.Price)));
    }

    [Fact]
    public void GenerateDue_DifferentInstrumentSameSeed_DifferentTicks()
    {
        var btc = Generate(Instrument(seed: 42), TimeSpan.FromMinutes(5));
        var eth = Generate(Instrument(seed: 42, key: InstrumentKey.Parse("binance:ETHUSDT")), TimeSpan.FromMinutes(5));

        Assert.NotEqual(btc.Select(t => t.ExchangeTime), eth.Select(t => t.ExchangeTime));
    }

    [Fact]
    public void GenerateDue_InSmallSpans_SameTicksAsInOneCall()
    {
        var whole = Generate(Instrument(seed: 7), TimeSpan.FromMinutes(2));
        var instrument = Instrument(seed: 7);
        var pieces = new List<Tick>();
        var span = new Tick[3];

        for (var until = Start; until <= Start.AddMinutes(2); until = until.AddSeconds(1))
        {
            int count;
            do
            {
                count = instrument.GenerateDue(until.UtcTicks, span, Start);
                pieces.AddRange(span.AsSpan(0, count).ToArray());
            }
            while (count == span.Length);
        }

        Assert.Equal(whole, pieces);
    }

    [Theory]
    [InlineData("97000", 2, 6)]
    [InlineData("3500", 3, 5)]
    [InlineData("240", 4, 4)]
    [InlineData("5.5", 6, 2)]
    [InlineData("0.38", 7, 1)]
    public void GenerateDue_InitialPrice_PositivePricesAndQuantitiesWithScaleOfItsMagnitude(string initialPrice, int priceScale, int quantityScale)
    {
        var price = decimal.Parse(initialPrice, System.Globalization.CultureInfo.InvariantCulture);

        var ticks = Generate(Instrument(seed: 1, initialPrice: price), TimeSpan.FromMinutes(10));

        Assert.True(ticks.Count > 1_000, $"{ticks.Count} ticks");
        Assert.All(ticks, t =>
        {
            Assert.True(t.Price > 0m && t.Quantity > 0m, $"{t.Price} x {t.Quantity}");
            Assert.Equal(priceScale, t.Price.Scale);
            Assert.Equal(quantityScale, t.Quantity.Scale);
        });
        Assert.InRange(ticks.Average(t => t.Price), price * 0.8m, price * 1.2m);
    }

    [Fact]
    public void GenerateDue_Ticks_IncreasingTradeIdsAndMillisecondTimesBeforeTheLimit()
    {
        var until = Start.AddMinutes(10);
        var receivedAt = Start.AddHours(1);

        var ticks = Generate(Instrument(seed: 3), until - Start, receivedAt);

        Assert.All(ticks.Zip(ticks.Skip(1)), p =>
        {
            Assert.True(p.Second.TradeId > p.First.TradeId);
            Assert.True(p.Second.ExchangeTime >= p.First.ExchangeTime);
        });
        Assert.All(ticks, t =>
        {
            Assert.Equal(Btc, t.Instrument);
            Assert.InRange(t.ExchangeTime, Start, until);
            Assert.Equal(0, t.ExchangeTime.UtcTicks % TimeSpan.TicksPerMillisecond);
            Assert.Equal(receivedAt, t.ReceiveTime);
        });
    }

    [Fact]
    public void GenerateDue_ManyTicks_ArriveAtTheConfiguredRate()
    {
        var duration = TimeSpan.FromHours(1);

        var ticks = Generate(Instrument(seed: 5, ticksPerSecond: 5), duration);

        // 18,000 expected; a Poisson count has a standard deviation of about 134.
        Assert.InRange(ticks.Count, 17_000, 19_000);
        var gaps = ticks.Zip(ticks.Skip(1), (a, b) => (b.ExchangeTime - a.ExchangeTime).TotalSeconds).ToList();
        var shortGaps = gaps.Count(g => g < 0.2) / (double)gaps.Count;
        Assert.InRange(shortGaps, 0.58, 0.68); // exponential gaps: 1 - 1/e of them are shorter than the mean
    }

    [Theory]
    [InlineData(1_000, 10_000)]
    [InlineData(100_000, 100)]
    [InlineData(1_000_000, 10)]
    public void GenerateDue_HighRate_ArrivesAtTheConfiguredRate(double ticksPerSecond, int milliseconds)
    {
        // The option allows up to 1,000,000 trades per second, a gap of 10 ticks (1 µs).
        var ticks = Generate(Instrument(seed: 5, ticksPerSecond: ticksPerSecond), TimeSpan.FromMilliseconds(milliseconds), capacity: 200_000);

        // 10,000 expected; a Poisson count has a standard deviation of 100.
        Assert.InRange(ticks.Count, 9_000, 11_000);
    }

    [Fact]
    public void GenerateNow_SameInstant_StampsEveryTickWithItAndKeepsIdsIncreasing()
    {
        var instrument = Instrument(seed: 9);
        var now = Start.AddSeconds(30);
        var ticks = new Tick[50];

        instrument.GenerateNow(ticks, now);

        Assert.All(ticks, t => Assert.Equal((now, now), (t.ExchangeTime, t.ReceiveTime)));
        Assert.All(ticks.Zip(ticks.Skip(1)), p => Assert.True(p.Second.TradeId > p.First.TradeId));
    }

    [Fact]
    public void SkipTo_Later_MovesScheduleForwardButNeverBack()
    {
        var instrument = Instrument(seed: 11);
        var first = instrument.NextUtcTicks;

        instrument.SkipTo(Start.AddMinutes(5).UtcTicks);
        var skipped = instrument.NextUtcTicks;
        instrument.SkipTo(Start.UtcTicks);

        Assert.InRange(first, Start.UtcTicks, Start.AddMinutes(1).UtcTicks);
        Assert.Equal(Start.AddMinutes(5).UtcTicks, skipped);
        Assert.Equal(skipped, instrument.NextUtcTicks);
        var next = new Tick[1];
        Assert.Equal(0, instrument.GenerateDue(skipped, next, Start));
        Assert.Equal(1, instrument.GenerateDue(skipped + TimeSpan.TicksPerMillisecond, next, Start));
        Assert.Equal(Start.AddMinutes(5), next[0].ExchangeTime);
    }

    private static SyntheticInstrument Instrument(int seed, decimal initialPrice = 97_000m, double ticksPerSecond = 20, InstrumentKey? key = null) =>
        new(key ?? Btc, initialPrice, new SyntheticFeedOptions { Seed = seed, TicksPerSecond = ticksPerSecond }, Start);

    private static List<Tick> Generate(SyntheticInstrument instrument, TimeSpan duration, DateTimeOffset? receivedAt = null, int capacity = 50_000)
    {
        var ticks = new Tick[capacity];
        var count = instrument.GenerateDue((Start + duration).UtcTicks, ticks, receivedAt ?? Start);
        Assert.True(count < ticks.Length, $"more than {ticks.Length} ticks due in {duration}");
        return [.. ticks.AsSpan(0, count)];
    }
}
