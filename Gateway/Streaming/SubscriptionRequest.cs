namespace PriceActors.Gateway.Streaming;

/// <summary>What a streaming client asks for, on every transport.</summary>
/// <param name="Instruments">The instruments, <c>exchange:SYMBOL</c> in any case.</param>
/// <param name="Since">
/// Per instrument, the position of the last update the client received (after a reconnect): it gets exactly the updates
/// after it, then live ones; without one it gets the current price, then live ones.
/// </param>
/// <param name="MaxUpdatesPerSecond">At most this many updates a second per instrument, the latest winning (conflated); null or 0: every update.</param>
/// <param name="CandleInterval">Closed candles of this length (<c>5s</c>, <c>1m</c>…); null: 5 s; <c>none</c>: no candles.</param>
public sealed record SubscriptionRequest(
    string[]? Instruments,
    Dictionary<string, StreamPosition>? Since = null,
    double? MaxUpdatesPerSecond = null,
    string? CandleInterval = null)
{
    /// <summary>The candle interval when a request names none.</summary>
    public static readonly TimeSpan DefaultCandleInterval = TimeSpan.FromSeconds(5);

    /// <summary>Checks the rate and the candle interval.</summary>
    /// <param name="options">What they ask for.</param>
    /// <param name="error">Why they are not accepted.</param>
    public bool TryOptions([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SubscriptionOptions? options, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        options = null;
        var rate = MaxUpdatesPerSecond ?? 0;
        if (!SubscriptionRules.TryRate(rate, out error) || !SubscriptionRules.TryCandleInterval(CandleInterval, DefaultCandleInterval, out var interval, out error))
        {
            return false;
        }

        options = new SubscriptionOptions(rate, interval);
        return true;
    }
}
