using PriceActors.Grains;

namespace PriceActors.Gateway.Api;

/// <summary>An instrument and its latest price, as <c>GET /instruments</c> lists it.</summary>
/// <param name="Exchange">Exchange, lower case.</param>
/// <param name="Symbol">Symbol, upper case.</param>
/// <param name="Price">Latest trade price; null before the first trade.</param>
/// <param name="Timestamp">Exchange time of that trade; null before the first trade.</param>
/// <param name="Sequence">The instrument's sequence at that trade; 0 before the first trade.</param>
/// <param name="WindowOpen">The first trade price in the rolling window; null without trades in it.</param>
/// <param name="Change">Latest price minus <paramref name="WindowOpen"/>.</param>
/// <param name="ChangePercent">That change in percent of <paramref name="WindowOpen"/>, 4 decimal places.</param>
public sealed record InstrumentPrice(
    string Exchange, string Symbol, decimal? Price, DateTimeOffset? Timestamp, long Sequence, decimal? WindowOpen, decimal? Change, decimal? ChangePercent)
{
    /// <summary>The row of an instrument from its latest update and its window's statistics.</summary>
    public static InstrumentPrice Of(InstrumentKey instrument, PriceUpdated? latest, WindowStats window)
    {
        var open = window.First;
        var change = latest is null || open is null ? (decimal?)null : latest.Price - open.Value;
        return new InstrumentPrice(
            instrument.Exchange,
            instrument.Symbol,
            latest?.Price,
            latest?.Timestamp,
            latest?.Sequence ?? 0,
            open,
            change,
            change is null || open is not > 0m ? null : Math.Round(change.Value / open.Value * 100m, 4));
    }
}
