namespace PriceActors.Grains.Storage;

/// <summary>What a store holds of one instrument, enough for a new activation to carry on where the last one stopped.</summary>
/// <param name="Epoch">The epoch of the stored sequence.</param>
/// <param name="LastSequence">Sequence of the last stored trade.</param>
/// <param name="LastTradeId">Trade id of the last stored trade.</param>
/// <param name="Last">The last stored trade, even when it is older than asked for; null when no trade is stored.</param>
/// <param name="Ticks">Stored trades since the time asked for, oldest first.</param>
/// <param name="Bars">Stored minute bars since the time asked for, oldest first.</param>
public sealed record PairHistory(
    long Epoch,
    long LastSequence,
    long LastTradeId,
    SequencedTick? Last,
    IReadOnlyList<SequencedTick> Ticks,
    IReadOnlyList<MinuteBar> Bars);
