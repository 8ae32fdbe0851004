using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Instruments;
using PriceActors.Grains.Pairs;

namespace PriceActors.Gateway.Api;

/// <summary>
/// <c>GET /candles/{exchange}/{symbol}?interval=&amp;from=&amp;to=&amp;limit=</c>: candles with a Binance kline's fields, open
/// times aligned to the interval. Below a minute from the window's trades; a minute and above from the minute bars
/// (in the cluster, PostgreSQL's beyond the window).
/// </summary>
public static class CandleEndpoints
{
    /// <summary>The intervals answered, by name.</summary>
    public static readonly IReadOnlyDictionary<string, TimeSpan> Intervals = new Dictionary<string, TimeSpan>
    {
        ["1s"] = TimeSpan.FromSeconds(1),
        ["5s"] = TimeSpan.FromSeconds(5),
        ["15s"] = TimeSpan.FromSeconds(15),
        ["30s"] = TimeSpan.FromSeconds(30),
        ["1m"] = TimeSpan.FromMinutes(1),
        ["3m"] = TimeSpan.FromMinutes(3),
        ["5m"] = TimeSpan.FromMinutes(5),
        ["15m"] = TimeSpan.FromMinutes(15),
        ["30m"] = TimeSpan.FromMinutes(30),
        ["1h"] = TimeSpan.FromHours(1),
        ["2h"] = TimeSpan.FromHours(2),
        ["4h"] = TimeSpan.FromHours(4),
        ["6h"] = TimeSpan.FromHours(6),
        ["8h"] = TimeSpan.FromHours(8),
        ["12h"] = TimeSpan.FromHours(12),
        ["1d"] = TimeSpan.FromDays(1),
    };

    /// <summary>The most candles one request answers; the default is 500, as Binance's.</summary>
    public const int MaxLimit = 1000;

    /// <summary>Maps the candles endpoint.</summary>
    /// <param name="app">The application.</param>
    public static WebApplication MapCandleApi(this WebApplication app)
    {
        app.MapGet("/candles/{exchange}/{symbol}", GetAsync);
        return app;
    }

    private static async Task<IResult> GetAsync(
        string exchange,
        string symbol,
        string? interval,
        string? from,
        string? to,
        int? limit,
        IInstrumentCatalog catalog,
        IGrainFactory grains,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!Problems.TryResolve(catalog, exchange, symbol, out var instrument, out var problem))
        {
            return problem;
        }

        if (!Intervals.TryGetValue(interval ?? "1m", out var size))
        {
            return Problems.BadRequest($"Interval '{interval}' is not valid: use one of {string.Join(", ", Intervals.Keys)}.");
        }

        if (limit is < 1 or > MaxLimit)
        {
            return Problems.BadRequest($"Limit {limit} is not valid: use 1 to {MaxLimit} (default 500).");
        }

        var count = limit ?? 500;
        var end = time.GetUtcNow();
        var start = default(DateTimeOffset);
        if ((to is not null && !Times.TryParse(to, out end)) || (from is not null && !Times.TryParse(from, out start)))
        {
            return Problems.BadRequest($"Times from={from} to={to} are not valid: use ISO 8601 (2026-12-07T10:00:00Z) or Unix milliseconds.");
        }

        if (from is null)
        {
            start = end - (size * count);
        }

        if (start > end)
        {
            return Problems.BadRequest($"from ({start:O}) is after to ({end:O}).");
        }

        var candles = await grains.GetGrain<IPairGrain>(instrument.Value).GetCandlesAsync(size, start, end, count).WaitAsync(cancellationToken);
        return TypedResults.Ok(candles);
    }

}
