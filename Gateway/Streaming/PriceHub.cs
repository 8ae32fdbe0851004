using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Instruments;

namespace PriceActors.Gateway.Streaming;

/// <summary>
/// The SignalR hub at <c>/hubs/prices</c>. Thin: it validates the instruments and delegates to the
/// <see cref="PriceBroadcaster"/>; each connection has its own bounded queue (<see cref="HubSubscriber"/>). Invalid or
/// unknown instruments fail the call with a message and subscribe nothing.
/// </summary>
public sealed class PriceHub(
    PriceBroadcaster broadcaster,
    IInstrumentCatalog catalog,
    IHubContext<PriceHub> hub,
    IOptions<StreamingOptions> options,
    TimeProvider time,
    ILoggerFactory loggers) : Hub
{
    /// <summary>Where the hub is mapped.</summary>
    public const string Path = "/hubs/prices";

    /// <summary>Most instruments one call may name.</summary>
    public const int MaxInstrumentsPerCall = 1000;

    /// <inheritdoc/>
    public override Task OnConnectedAsync()
    {
        var subscriber = new HubSubscriber(hub, Context, options.Value, time, loggers.CreateLogger<HubSubscriber>());
        Context.Items[typeof(StreamSubscriber)] = subscriber;
        subscriber.Start();
        return Task.CompletedTask;
    }

    /// <summary>Subscribes to instruments (<c>exchange:SYMBOL</c>): their current prices come first, then every update.</summary>
    /// <param name="instruments">The instruments.</param>
    /// <returns>The canonical keys subscribed.</returns>
    public Task<string[]> Subscribe(string[] instruments) => SubscribeWith(new SubscriptionRequest(instruments, CandleInterval: "none"));

    /// <summary>
    /// Subscribes with options: positions to resume from (the updates after each come first, or a <c>streamReset</c> and
    /// the current price when they are gone), a per-instrument rate limit and closed candles (<c>candleClosed</c>, 5 s unless
    /// another interval or <c>none</c> is named).
    /// </summary>
    /// <param name="request">The instruments and options.</param>
    /// <returns>The canonical keys subscribed.</returns>
    public async Task<string[]> SubscribeWith(SubscriptionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var keys = Resolve(request.Instruments);
        var since = ResolvePositions(request.Since, keys);
        if (!request.TryOptions(out var options, out var error))
        {
            throw new HubException(error);
        }

        await broadcaster.SubscribeAsync(Subscriber, keys, since, options, Context.ConnectionAborted);
        return [.. keys.Select(k => k.Value)];
    }

    /// <summary>Stops the updates of instruments; a few already on their way may still arrive.</summary>
    /// <param name="instruments">The instruments.</param>
    /// <returns>The canonical keys unsubscribed.</returns>
    public async Task<string[]> Unsubscribe(string[] instruments)
    {
        var keys = Resolve(instruments);
        await broadcaster.UnsubscribeAsync(Subscriber, keys);
        return [.. keys.Select(k => k.Value)];
    }

    /// <inheritdoc/>
    public override async Task OnDisconnectedAsync(Exception? exception)
    {
        await broadcaster.DisconnectAsync(Subscriber);
        await Subscriber.DisposeAsync();
    }

    private StreamSubscriber Subscriber => (StreamSubscriber)Context.Items[typeof(StreamSubscriber)]!;

    private List<InstrumentKey> Resolve(string[]? instruments)
    {
        if (!SubscriptionRules.TryResolve(instruments, catalog, MaxInstrumentsPerCall, out var keys, out var error))
        {
            throw new HubException(error);
        }

        return keys;
    }

    private static Dictionary<InstrumentKey, StreamPosition>? ResolvePositions(Dictionary<string, StreamPosition>? since, List<InstrumentKey> keys)
    {
        if (!SubscriptionRules.TryResolvePositions(since, keys, out var positions, out var error))
        {
            throw new HubException(error);
        }

        return positions;
    }
}
