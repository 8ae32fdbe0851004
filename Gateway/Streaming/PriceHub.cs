using Microsoft.AspNetCore.SignalR;
using PriceActors.Grains;
using PriceActors.Grains.Instruments;

namespace PriceActors.Gateway.Streaming;

/// <summary>
/// The SignalR hub at <c>/hubs/prices</c>. Thin: it validates the instruments and delegates to the
/// <see cref="PriceBroadcaster"/>. Invalid or unknown instruments fail the call with a message and
/// subscribe nothing.
/// </summary>
public sealed class PriceHub(PriceBroadcaster broadcaster, IInstrumentCatalog catalog) : Hub
{
    /// <summary>Where the hub is mapped.</summary>
    public const string Path = "/hubs/prices";

    /// <summary>Most instruments one call may name.</summary>
    public const int MaxInstrumentsPerCall = 1000;

    /// <summary>Subscribes to instruments (<c>exchange:SYMBOL</c>): their current prices come first, then every update.</summary>
    /// <param name="instruments">The instruments.</param>
    /// <returns>The canonical keys subscribed.</returns>
    public async Task<string[]> Subscribe(string[] instruments)
    {
        var keys = Resolve(instruments);
        await broadcaster.SubscribeAsync(Context.ConnectionId, keys, Context.ConnectionAborted);
        return [.. keys.Select(k => k.Value)];
    }

    /// <summary>Stops the updates of instruments; a few already on their way may still arrive.</summary>
    /// <param name="instruments">The instruments.</param>
    /// <returns>The canonical keys unsubscribed.</returns>
    public async Task<string[]> Unsubscribe(string[] instruments)
    {
        var keys = Resolve(instruments);
        await broadcaster.UnsubscribeAsync(Context.ConnectionId, keys);
        return [.. keys.Select(k => k.Value)];
    }

    /// <inheritdoc/>
    public override Task OnDisconnectedAsync(Exception? exception) => broadcaster.DisconnectAsync(Context.ConnectionId);

    private List<InstrumentKey> Resolve(string[]? instruments)
    {
        if (instruments is null || instruments.Length == 0)
        {
            throw new HubException("Name at least one instrument, e.g. [\"binance:BTCUSDT\"].");
        }

        if (instruments.Length > MaxInstrumentsPerCall)
        {
            throw new HubException($"At most {MaxInstrumentsPerCall} instruments per call, not {instruments.Length}.");
        }

        var keys = new List<InstrumentKey>(instruments.Length);
        foreach (var text in instruments)
        {
            if (!InstrumentKey.TryParse(text, out var key, out var error))
            {
                throw new HubException(error);
            }

            if (!catalog.Contains(key))
            {
                throw new HubException($"Unknown instrument '{key}'. GET /instruments lists the known ones.");
            }

            if (!keys.Contains(key))
            {
                keys.Add(key);
            }
        }

        return keys;
    }
}
