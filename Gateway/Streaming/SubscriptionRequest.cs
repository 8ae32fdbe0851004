namespace PriceActors.Gateway.Streaming;

/// <summary>What a streaming client asks for, on every transport.</summary>
/// <param name="Instruments">The instruments, <c>exchange:SYMBOL</c> in any case.</param>
/// <param name="Since">
/// Per instrument, the position of the last update the client received (after a reconnect): it gets exactly the updates
/// after it, then live ones; without one it gets the current price, then live ones.
/// </param>
/// <param name="MaxUpdatesPerSecond">At most this many updates a second per instrument, the latest winning (conflated); null or 0: every update.</param>
public sealed record SubscriptionRequest(
    string[]? Instruments,
    Dictionary<string, StreamPosition>? Since = null,
    double? MaxUpdatesPerSecond = null);
