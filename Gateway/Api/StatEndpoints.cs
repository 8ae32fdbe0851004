using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Instruments;
using PriceActors.Grains.Pairs;

namespace PriceActors.Gateway.Api;

/// <summary>
/// The marketflow seed's statistics: <c>GET /prices/{highest|lowest|average}/{symbol}</c> across exchanges and
/// <c>GET /prices/{highest|lowest|average}/{exchange}/{symbol}</c>, over <c>?period=</c> (default: the window). A period up
/// to the window is answered from the pairs' trades, a longer one (up to <see cref="MaxPeriod"/>) from their minute bars,
/// whole minutes from the first one the period reaches.
/// </summary>
public static class StatEndpoints
{
    /// <summary>The longest period answered.</summary>
    public static readonly TimeSpan MaxPeriod = TimeSpan.FromDays(7);

    private static readonly string[] Stats = ["highest", "lowest", "average"];

    /// <summary>Maps the statistics endpoints.</summary>
    /// <param name="app">The application.</param>
    public static WebApplication MapStatApi(this WebApplication app)
    {
        var prices = app.MapGroup("/prices");
        foreach (var stat in Stats)
        {
            prices.MapGet($"/{stat}/{{symbol}}", (string symbol, string? period, [AsParameters] StatContext context, CancellationToken cancellationToken) =>
                AnswerAsync(stat, null, symbol, period, context, cancellationToken));
            prices.MapGet($"/{stat}/{{exchange}}/{{symbol}}", (string exchange, string symbol, string? period, [AsParameters] StatContext context, CancellationToken cancellationToken) =>
                AnswerAsync(stat, exchange, symbol, period, context, cancellationToken));
        }

        return app;
    }

    private static async Task<IResult> AnswerAsync(string stat, string? exchange, string symbol, string? period, StatContext context, CancellationToken cancellationToken)
    {
        IReadOnlyList<InstrumentKey> instruments;
        if (exchange is null)
        {
            if (!Problems.TryResolveSymbol(context.Catalog, symbol, out instruments, out var problem))
            {
                return problem;
            }
        }
        else if (Problems.TryResolve(context.Catalog, exchange, symbol, out var instrument, out var problem))
        {
            instruments = [instrument];
        }
        else
        {
            return problem;
        }

        var window = context.Pairs.Value.WindowLength;
        var length = window;
        if (period is not null && (!PeriodParser.TryParse(period, out length) || length <= TimeSpan.Zero || length > MaxPeriod))
        {
            return Problems.BadRequest(
                $"Period '{period}' is not valid: use 1s, 3s, 5s, 10s, 30s, 1m, 3m, 5m, 15m, 1h, 4h, 1d or any other number with s, m, h or d " +
                $"(or ISO 8601 such as PT5M), more than zero and at most {MaxPeriod.TotalDays} days. Up to the window ({window}) the trades " +
                "answer, beyond it the minute bars.");
        }

        var now = context.Time.GetUtcNow();
        var parts = length <= window
            ? await FromTradesAsync(instruments, now - length, now, context.Grains, cancellationToken)
            : await FromBarsAsync(instruments, now - length, now, context.Grains, cancellationToken);
        var traded = parts.Where(p => p.Count > 0).ToList();
        var count = traded.Sum(p => p.Count);
        decimal? value = count == 0 ? null : stat switch
        {
            "highest" => traded.Max(p => p.High),
            "lowest" => traded.Min(p => p.Low),
            _ => Math.Round(traded.Sum(p => p.Average * p.Count) / count, 12),
        };

        return TypedResults.Ok(new StatAnswer(
            stat,
            instruments[0].Symbol,
            [.. traded.Select(p => p.Exchange)],
            period ?? "window",
            parts.Count > 0 ? parts.Min(p => p.From) : now - length,
            now,
            length <= window ? "trades" : "minuteBars",
            value,
            count));
    }

    private static async Task<List<Part>> FromTradesAsync(
        IReadOnlyList<InstrumentKey> instruments, DateTimeOffset from, DateTimeOffset to, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var stats = await Task.WhenAll(instruments.Select(i => grains.GetGrain<IPairGrain>(i.Value).GetWindowStatsAsync(from, to).WaitAsync(cancellationToken)));
        return [.. stats.Select(s => new Part(s.Exchange, s.From, s.Count, s.High ?? 0m, s.Low ?? 0m, s.Average ?? 0m))];
    }

    private static async Task<List<Part>> FromBarsAsync(
        IReadOnlyList<InstrumentKey> instruments, DateTimeOffset from, DateTimeOffset to, IGrainFactory grains, CancellationToken cancellationToken)
    {
        // Whole minutes: the first minute that starts at or after the period's start.
        var start = new DateTimeOffset((from.UtcTicks + TimeSpan.TicksPerMinute - 1) / TimeSpan.TicksPerMinute * TimeSpan.TicksPerMinute, TimeSpan.Zero);
        var limit = (int)Math.Ceiling((to - start).TotalMinutes) + 1;
        var bars = await Task.WhenAll(instruments.Select(i => grains.GetGrain<IPairGrain>(i.Value).GetStoredBarsAsync(start, to, limit).WaitAsync(cancellationToken)));
        return [.. instruments.Zip(bars, (instrument, b) =>
        {
            var count = b.Sum(x => x.Count);
            return new Part(
                instrument.Exchange,
                start,
                count,
                count == 0 ? 0m : b.Max(x => x.High),
                count == 0 ? 0m : b.Min(x => x.Low),
                count == 0 ? 0m : b.Sum(x => x.Average * x.Count) / count);
        })];
    }

    /// <summary>One exchange's share: its trades' count, extremes and mean over the period.</summary>
    private sealed record Part(string Exchange, DateTimeOffset From, long Count, decimal High, decimal Low, decimal Average);

    /// <summary>What the statistics endpoints take from the services.</summary>
    /// <param name="Catalog">The known instruments.</param>
    /// <param name="Grains">The pairs.</param>
    /// <param name="Pairs">The window's length.</param>
    /// <param name="Time">The clock.</param>
    private readonly record struct StatContext(IInstrumentCatalog Catalog, IGrainFactory Grains, IOptions<PairOptions> Pairs, TimeProvider Time);

    /// <summary>The answer of a statistics endpoint.</summary>
    /// <param name="Stat">highest, lowest or average.</param>
    /// <param name="Symbol">The symbol, upper case.</param>
    /// <param name="Exchanges">The exchanges whose trades the value covers (those that traded in the period).</param>
    /// <param name="Period">The period asked for (<c>window</c> when none was).</param>
    /// <param name="From">Start of the period covered (the window's start, or the first whole minute for bars).</param>
    /// <param name="To">End of the period covered: now.</param>
    /// <param name="Source"><c>trades</c> (up to the window) or <c>minuteBars</c> (beyond it).</param>
    /// <param name="Value">The highest or lowest price, or the mean trade price (12 decimal places); null without trades.</param>
    /// <param name="Count">The trades it covers.</param>
    private sealed record StatAnswer(
        string Stat, string Symbol, IReadOnlyList<string> Exchanges, string Period, DateTimeOffset From, DateTimeOffset To, string Source, decimal? Value, long Count);
}
