namespace PriceActors.Grains;

/// <summary>
/// An instrument's latest price changed. One is published per batch of ticks a <see cref="IPairGrain"/>
/// handles, carrying the last tick; <see cref="Sequence"/> counts the instrument's accepted ticks, so
/// it strictly increases and jumps when several ticks were folded into one update.
/// </summary>
/// <param name="Exchange">Exchange, lower case.</param>
/// <param name="Symbol">Symbol, upper case.</param>
/// <param name="Price">Last trade price.</param>
/// <param name="Quantity">Last trade quantity.</param>
/// <param name="Timestamp">Exchange time of the last trade (UTC).</param>
/// <param name="Sequence">Number of ticks the instrument has accepted in this epoch, up to and including this one.</param>
/// <param name="Epoch">Identifies the sequence: it changes when the sequence restarts, so clients can tell a gap from a reset.</param>
/// <param name="FirstSequence">
/// The first sequence number this update covers: the update stands for the trades <c>FirstSequence..Sequence</c>, so a
/// subscriber whose last update ended at <c>FirstSequence − 1</c> missed nothing, and one that ended earlier has a gap.
/// </param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.PriceUpdated")]
public sealed record PriceUpdated(
    string Exchange,
    string Symbol,
    decimal Price,
    decimal Quantity,
    DateTimeOffset Timestamp,
    long Sequence,
    long Epoch,
    long FirstSequence) : IPairUpdate;
