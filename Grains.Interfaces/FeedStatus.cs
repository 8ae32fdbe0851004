namespace PriceActors.Grains;

/// <summary>The state of one exchange's feed.</summary>
/// <param name="Exchange">Exchange, lower case.</param>
/// <param name="State">Running, stopped or faulted.</param>
/// <param name="Source">Where ticks come from, e.g. <c>synthetic</c>.</param>
/// <param name="Instruments">Instruments the feed produces.</param>
/// <param name="TicksPublished">Ticks published since the feed started.</param>
/// <param name="LastTickAt">Exchange time of the last tick published.</param>
/// <param name="LastError">The error that stopped the feed, if any.</param>
/// <param name="Mode">The mode the feed runs (or last ran) in.</param>
/// <param name="Epoch">The epoch its trades carry (<see cref="TickRound.Epoch"/>).</param>
/// <param name="Connection">A live feed's connection; null for a synthetic one.</param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.FeedStatus")]
public sealed record FeedStatus(
    string Exchange,
    FeedState State,
    string Source,
    int Instruments,
    long TicksPublished,
    DateTimeOffset? LastTickAt,
    string? LastError,
    FeedMode Mode,
    long Epoch,
    LiveConnectionStatus? Connection);
