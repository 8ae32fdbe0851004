using System.Globalization;
using PriceActors.Grains;

namespace PriceActors.Tests.Grains.Feeds.Live;

/// <summary>What the bars and candles of trades a fake exchange sent must be, worked out from the trades themselves.</summary>
internal static class ReferenceCandles
{
    /// <summary>The candles of <paramref name="trades"/> (one instrument, oldest first) per <paramref name="size"/>, open times aligned to the Unix epoch.</summary>
    public static IReadOnlyList<Candle> Of(IEnumerable<FakeTrade> trades, TimeSpan size) =>
    [
        .. trades.GroupBy(t => t.Time.UtcTicks - (t.Time.UtcTicks % size.Ticks)).Select(g => new Candle(
            new DateTimeOffset(g.Key, TimeSpan.Zero),
            new DateTimeOffset(g.Key + size.Ticks - TimeSpan.TicksPerMillisecond, TimeSpan.Zero),
            Decimal(g.First().Price),
            g.Max(t => Decimal(t.Price)),
            g.Min(t => Decimal(t.Price)),
            Decimal(g.Last().Price),
            g.Sum(t => Decimal(t.Quantity)),
            g.Count(),
            g.Key + size.Ticks <= DateTimeOffset.UtcNow.UtcTicks)),
    ];

    private static decimal Decimal(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);
}
