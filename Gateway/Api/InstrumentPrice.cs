namespace PriceActors.Gateway.Api;

/// <summary>An instrument and its latest price, as <c>GET /instruments</c> lists it.</summary>
/// <param name="Exchange">Exchange, lower case.</param>
/// <param name="Symbol">Symbol, upper case.</param>
/// <param name="Price">Latest trade price; null before the first trade.</param>
/// <param name="Timestamp">Exchange time of that trade; null before the first trade.</param>
/// <param name="Sequence">The instrument's sequence at that trade; 0 before the first trade.</param>
public sealed record InstrumentPrice(string Exchange, string Symbol, decimal? Price, DateTimeOffset? Timestamp, long Sequence);
