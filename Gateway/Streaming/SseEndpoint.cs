using System.Globalization;
using Microsoft.Extensions.Options;
using PriceActors.Gateway.Api;
using PriceActors.Grains;
using PriceActors.Grains.Instruments;

namespace PriceActors.Gateway.Streaming;

/// <summary>
/// Server-sent events at <c>GET /prices/stream?instruments=…</c>: the instruments' current prices, then every update. A
/// client reconnecting with <c>Last-Event-ID</c> (browsers do it by themselves) or <c>?since=</c> (an event's id) gets
/// exactly the updates it missed, from any gateway, or a <c>reset</c> event and the current price when they are gone.
/// </summary>
internal sealed class SseEndpoint(
    PriceBroadcaster broadcaster,
    IInstrumentCatalog catalog,
    IOptions<StreamingOptions> streaming,
    TimeProvider time,
    ILoggerFactory loggers)
{
    public const string Path = "/prices/stream";

    public const string Description =
        "text/event-stream. Query: instruments (comma-separated exchange:SYMBOL, at most 100), since (an event id, or use the " +
        "Last-Event-ID header), maxUpdatesPerSecond (per instrument, latest wins), candleInterval (5s by default, or none). " +
        "Events: price (LivePrice, with an id holding every instrument's position), bar (a closed minute bar), candle (a closed " +
        "candle), reset (a gap that cannot be filled; the current " +
        "price follows). Unknown instrument: 404; bad query or id: 400.";

    public async Task HandleAsync(HttpContext context)
    {
        var names = context.Request.Query["instruments"].SelectMany(v => (v ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        if (!SubscriptionRules.TryResolve(names, catalog, SsePositions.MaxInstruments, out var keys, out var error, out var unknown))
        {
            await (unknown ? Problems.NotFound(error) : Problems.BadRequest(error)).ExecuteAsync(context);
            return;
        }

        var start = new StreamPosition?[keys.Count];
        string? position = context.Request.Headers["Last-Event-ID"].FirstOrDefault() ?? context.Request.Query["since"].FirstOrDefault();
        if (!string.IsNullOrEmpty(position) && !SsePositions.TryParse(position, keys.Count, out start, out error))
        {
            await Problems.BadRequest(error).ExecuteAsync(context);
            return;
        }

        double? rate = null;
        var rateText = context.Request.Query["maxUpdatesPerSecond"].FirstOrDefault();
        if (rateText is not null)
        {
            if (!double.TryParse(rateText, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
            {
                await Problems.BadRequest($"maxUpdatesPerSecond must be a number, 0 (every update) or more, not '{rateText}'.").ExecuteAsync(context);
                return;
            }

            rate = parsed;
        }

        if (!new SubscriptionRequest(null, null, rate, context.Request.Query["candleInterval"].FirstOrDefault()).TryOptions(out var options, out error))
        {
            await Problems.BadRequest(error).ExecuteAsync(context);
            return;
        }

        var since = new Dictionary<InstrumentKey, StreamPosition>();
        for (var i = 0; i < keys.Count; i++)
        {
            if (start![i] is { } from)
            {
                since[keys[i]] = from;
            }
        }

        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        await context.Response.WriteAsync("retry: 1000\n\n", context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);

        var settings = streaming.Value;
        await using var subscriber = new SseSubscriber(context, keys, start!, settings, time, loggers.CreateLogger<SseSubscriber>());
        subscriber.Start();
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, subscriber.Stopped);
        try
        {
            await broadcaster.SubscribeAsync(subscriber, keys, since, options, ended.Token);
            using var keepAlive = new PeriodicTimer(settings.KeepAlive, time);
            while (await keepAlive.WaitForNextTickAsync(ended.Token))
            {
                subscriber.Queue.Enqueue(KeepAliveOut.Instance);
            }
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            // The client went away, or was disconnected.
        }
        finally
        {
            await broadcaster.DisconnectAsync(subscriber);
        }
    }
}
