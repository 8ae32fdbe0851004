using PriceActors.Grains;

namespace PriceActors.Gateway.Streaming;

/// <summary>
/// A price update as every transport sends it. It stands for the trades <see cref="FirstSequence"/> to
/// <see cref="Sequence"/> of <see cref="Epoch"/>: a client whose last update ended at <c>FirstSequence − 1</c> missed
/// nothing, one that ended earlier has a gap (and resumes). <see cref="Conflated"/> marks an update the gateway merged from
/// several because the client was slow or asked for fewer updates a second: its price is the latest of them.
/// </summary>
/// <param name="Exchange">Exchange, lower case.</param>
/// <param name="Symbol">Symbol, upper case.</param>
/// <param name="Price">Last trade price.</param>
/// <param name="Quantity">Last trade quantity.</param>
/// <param name="Timestamp">Exchange time of the last trade.</param>
/// <param name="Sequence">Sequence of the last trade in its epoch.</param>
/// <param name="Epoch">The epoch of the sequence.</param>
/// <param name="FirstSequence">The first trade this update covers.</param>
/// <param name="Conflated">True when the gateway merged several updates into this one.</param>
public sealed record LivePrice(
    string Exchange,
    string Symbol,
    decimal Price,
    decimal Quantity,
    DateTimeOffset Timestamp,
    long Sequence,
    long Epoch,
    long FirstSequence,
    bool Conflated)
{
    /// <summary>The wire form of a pair's update.</summary>
    /// <param name="update">The update.</param>
    /// <param name="conflated">Whether the gateway merged it from several.</param>
    public static LivePrice From(PriceUpdated update, bool conflated = false) => new(
        update.Exchange,
        update.Symbol,
        update.Price,
        update.Quantity,
        update.Timestamp,
        update.Sequence,
        update.Epoch,
        update.FirstSequence,
        conflated);
}
