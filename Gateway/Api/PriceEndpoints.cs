using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Instruments;
using PriceActors.Grains.Pairs;

namespace PriceActors.Gateway.Api;

/// <summary>
/// The REST API. Every answer comes from the instrument's pair; unknown instruments are 404 and
/// malformed input is 400, both with a problem body.
/// </summary>
public static class PriceEndpoints
{
    /// <summary>Maps <c>/instruments</c> and <c>/prices/...</c>.</summary>
    /// <param name="app">The application.</param>
    public static WebApplication MapPriceApi(this WebApplication app)
    {
        app.MapGet("/instruments", GetInstrumentsAsync);
        var prices = app.MapGroup("/prices");
        prices.MapGet("/latest/{symbol}", GetLatestOfSymbolAsync);
        prices.MapGet("/latest/{exchange}/{symbol}", GetLatestAsync);
        prices.MapGet("/stats/{exchange}/{symbol}", GetStatsAsync);
        prices.MapGet("/bars/{exchange}/{symbol}", GetBarsAsync);
        prices.MapGet("/history/{exchange}/{symbol}", GetHistoryAsync);
        return app;
    }

    private static async Task<Ok<InstrumentPrice[]>> GetInstrumentsAsync(
        IInstrumentCatalog catalog, IGrainFactory grains, IOptions<PairOptions> pairOptions, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var from = now - pairOptions.Value.WindowLength;
        var rows = await Task.WhenAll(catalog.All.Select(async i =>
        {
            var pair = grains.GetGrain<IPairGrain>(i.Value);
            var latest = pair.GetLatestPriceAsync().WaitAsync(cancellationToken);
            var window = pair.GetWindowStatsAsync(from, now).WaitAsync(cancellationToken);
            return InstrumentPrice.Of(i, await latest, await window);
        }));
        return TypedResults.Ok(rows);
    }

    private static async Task<Results<Ok<PriceUpdated>, ProblemHttpResult>> GetLatestOfSymbolAsync(
        string symbol, IInstrumentCatalog catalog, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (!Problems.TryResolveSymbol(catalog, symbol, out var instruments, out var problem))
        {
            return problem;
        }

        var latest = await Task.WhenAll(instruments.Select(i => grains.GetGrain<IPairGrain>(i.Value).GetLatestPriceAsync().WaitAsync(cancellationToken)));
        var newest = latest.OfType<PriceUpdated>().MaxBy(p => p.Timestamp);
        return newest is null
            ? Problems.NotFound($"'{symbol.ToUpperInvariant()}' has not traded yet.")
            : TypedResults.Ok(newest);
    }

    private static async Task<Results<Ok<PriceUpdated>, ProblemHttpResult>> GetLatestAsync(
        string exchange, string symbol, IInstrumentCatalog catalog, IGrainFactory grains, CancellationToken cancellationToken)
    {
        if (!Problems.TryResolve(catalog, exchange, symbol, out var instrument, out var problem))
        {
            return problem;
        }

        var latest = await grains.GetGrain<IPairGrain>(instrument.Value).GetLatestPriceAsync().WaitAsync(cancellationToken);
        return latest is null ? Problems.NotFound($"'{instrument}' has not traded yet.") : TypedResults.Ok(latest);
    }

    private static async Task<Results<Ok<WindowStats>, ProblemHttpResult>> GetStatsAsync(
        string exchange,
        string symbol,
        string? period,
        IInstrumentCatalog catalog,
        IGrainFactory grains,
        IOptions<PairOptions> pairOptions,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!Problems.TryResolve(catalog, exchange, symbol, out var instrument, out var problem))
        {
            return problem;
        }

        var window = pairOptions.Value.WindowLength;
        var length = window;
        if (period is not null && (!PeriodParser.TryParse(period, out length) || length <= TimeSpan.Zero || length > window))
        {
            return Problems.BadRequest($"Period '{period}' is not valid: use e.g. 90s, 5m, 1h or PT5M, more than zero and at most the window, {window}.");
        }

        var now = time.GetUtcNow();
        var stats = await grains.GetGrain<IPairGrain>(instrument.Value).GetWindowStatsAsync(now - length, now).WaitAsync(cancellationToken);
        return TypedResults.Ok(stats);
    }

    private static async Task<Results<Ok<TradeHistory>, ProblemHttpResult>> GetHistoryAsync(
        string exchange,
        string symbol,
        string? since,
        int? limit,
        IInstrumentCatalog catalog,
        IGrainFactory grains,
        IOptions<PairOptions> pairOptions,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (!Problems.TryResolve(catalog, exchange, symbol, out var instrument, out var problem))
        {
            return problem;
        }

        if (limit is < 1 or > 1000)
        {
            return Problems.BadRequest($"Limit {limit} is not valid: use 1 to 1000 (default 100).");
        }

        var from = time.GetUtcNow() - pairOptions.Value.WindowLength;
        if (since is not null && !Times.TryParse(since, out from))
        {
            return Problems.BadRequest($"since={since} is not valid: use ISO 8601 (2026-12-07T10:00:00Z) or Unix milliseconds.");
        }

        var history = await grains.GetGrain<IPairGrain>(instrument.Value).GetTradesAsync(from, limit ?? 100).WaitAsync(cancellationToken);
        return TypedResults.Ok(history);
    }

    private static async Task<Results<Ok<MinuteBarHistory>, ProblemHttpResult>> GetBarsAsync(
        string exchange,
        string symbol,
        int? limit,
        IInstrumentCatalog catalog,
        IGrainFactory grains,
        IOptions<PairOptions> pairOptions,
        CancellationToken cancellationToken)
    {
        if (!Problems.TryResolve(catalog, exchange, symbol, out var instrument, out var problem))
        {
            return problem;
        }

        var maximum = (int)Math.Ceiling(pairOptions.Value.WindowLength.TotalMinutes);
        if (limit is < 0 || limit > maximum)
        {
            return Problems.BadRequest($"Limit {limit} is not valid: use 0 to {maximum} (the minutes in the window).");
        }

        var bars = await grains.GetGrain<IPairGrain>(instrument.Value).GetMinuteBarsAsync(limit ?? maximum).WaitAsync(cancellationToken);
        return TypedResults.Ok(bars);
    }
}
