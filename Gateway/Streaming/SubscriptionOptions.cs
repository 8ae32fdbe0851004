namespace PriceActors.Gateway.Streaming;

/// <summary>How a subscription wants its instruments: at most so many updates a second, and closed candles of an interval.</summary>
/// <param name="MaxUpdatesPerSecond">Per instrument at most this many updates a second, the latest winning; 0: every update.</param>
/// <param name="CandleInterval">The length of the closed candles sent; zero: none.</param>
public sealed record SubscriptionOptions(double MaxUpdatesPerSecond, TimeSpan CandleInterval);
