using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Instruments;

namespace PriceActors.Gateway.Api;

/// <summary>
/// <c>GET /prices/consolidated/{symbol}?period=&amp;staleAfter=</c>: one price of a symbol across exchanges, weighted by the
/// volume each traded over the period, leaving out exchanges whose last trade is stale and, with three or more, those far
/// from the median; the answer names the exchanges used and says why the others were not.
/// </summary>
public static class ConsolidatedEndpoints
{
    /// <summary>Maps the endpoint.</summary>
    /// <param name="app">The application.</param>
    public static WebApplication MapConsolidatedApi(this WebApplication app)
    {
        app.MapGet("/prices/consolidated/{symbol}", GetAsync);
        return app;
    }

    private static async Task<IResult> GetAsync(
        string symbol,
        string? period,
        string? staleAfter,
        IInstrumentCatalog catalog,
        IGrainFactory grains,
        IOptions<ConsolidatedOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!Problems.TryResolveSymbol(catalog, symbol, out var instruments, out var problem))
        {
            return problem;
        }

        var length = options.Value.Period;
        var stale = options.Value.StaleAfter;
        if ((period is not null && (!PeriodParser.TryParse(period, out length) || length <= TimeSpan.Zero || length > TimeSpan.FromHours(1)))
            || (staleAfter is not null && (!PeriodParser.TryParse(staleAfter, out stale) || stale <= TimeSpan.Zero)))
        {
            return Problems.BadRequest($"period={period} staleAfter={staleAfter}: use durations such as 10s, 1m or PT30S; period at most 1h, both more than zero.");
        }

        var now = time.GetUtcNow();
        var quotes = await Task.WhenAll(instruments.Select(async i =>
        {
            var pair = grains.GetGrain<IPairGrain>(i.Value);
            var latest = pair.GetLatestPriceAsync().WaitAsync(cancellationToken);
            var stats = pair.GetWindowStatsAsync(now - length, now).WaitAsync(cancellationToken);
            return (Exchange: i.Exchange, Latest: await latest, Stats: await stats);
        }));

        var excluded = new List<Excluded>();
        var fresh = new List<Used>();
        foreach (var (exchange, latest, stats) in quotes)
        {
            if (latest is null || now - latest.Timestamp > stale)
            {
                excluded.Add(new Excluded(exchange, latest is null ? "stale: no trade yet" : $"stale: last trade {(now - latest.Timestamp).TotalSeconds:0.#} s ago (limit {stale.TotalSeconds:0.#} s)"));
            }
            else if (stats.Count == 0)
            {
                excluded.Add(new Excluded(exchange, $"no trade in the period ({length.TotalSeconds:0.#} s)"));
            }
            else
            {
                fresh.Add(new Used(exchange, stats.Vwap!.Value, stats.Volume, stats.Count, latest.Timestamp));
            }
        }

        var used = fresh;
        if (fresh.Count >= 3)
        {
            var sorted = fresh.Select(f => f.Vwap).Order().ToList();
            var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
            var limit = (decimal)options.Value.MaxDeviationPercent;
            used = [];
            foreach (var quote in fresh)
            {
                var deviation = median == 0m ? 0m : Math.Abs(quote.Vwap - median) / median * 100m;
                if (deviation > limit)
                {
                    excluded.Add(new Excluded(quote.Exchange, $"outlier: {deviation:0.##} % from the median {median} (limit {limit} %)"));
                }
                else
                {
                    used.Add(quote);
                }
            }
        }

        var volume = used.Sum(u => u.Volume);
        decimal? price = used.Count == 0 ? null
            : Math.Round(volume > 0m ? used.Sum(u => u.Vwap * u.Volume) / volume : used.Average(u => u.Vwap), 12);
        return TypedResults.Ok(new Consolidated(instruments[0].Symbol, price, now - length, now, used, excluded));
    }

    /// <summary>An exchange that went into the price.</summary>
    /// <param name="Exchange">The exchange.</param>
    /// <param name="Vwap">Its volume-weighted price over the period.</param>
    /// <param name="Volume">Its volume over the period, the price's weight.</param>
    /// <param name="Count">Its trades over the period.</param>
    /// <param name="LastTradeAt">Its last trade's time.</param>
    private sealed record Used(string Exchange, decimal Vwap, decimal Volume, long Count, DateTimeOffset LastTradeAt);

    /// <summary>An exchange left out, and why.</summary>
    /// <param name="Exchange">The exchange.</param>
    /// <param name="Reason">stale, no trade in the period, or outlier, with the figures.</param>
    private sealed record Excluded(string Exchange, string Reason);

    /// <summary>The consolidated price.</summary>
    /// <param name="Symbol">The symbol.</param>
    /// <param name="Price">Volume-weighted across the used exchanges (12 decimal places); null when none is usable.</param>
    /// <param name="From">Start of the period.</param>
    /// <param name="To">End of the period: now.</param>
    /// <param name="Used">The exchanges in the price.</param>
    /// <param name="Excluded">The exchanges left out, with the reason.</param>
    private sealed record Consolidated(string Symbol, decimal? Price, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<Used> Used, IReadOnlyList<Excluded> Excluded);
}
