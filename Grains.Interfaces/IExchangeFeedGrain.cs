namespace PriceActors.Grains;

/// <summary>
/// One grain per exchange, keyed by the exchange name (lower case): runs that exchange's feed, normalizes its trades
/// to <see cref="Tick"/>s and publishes them in per-instrument batches to the tick streams. Every silo's feed keeper
/// calls <see cref="StartAsync"/> every few seconds, so a feed whose silo died is active again elsewhere shortly after.
/// </summary>
[Alias("priceactors.IExchangeFeedGrain")]
public interface IExchangeFeedGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts the feed in the cluster's <paramref name="mode"/>: synthetic trades or the exchange's live stream, each round
    /// stamped with its epoch (<see cref="TickRound.Epoch"/>). Does nothing if it runs so; a feed running in another mode
    /// or epoch is stopped first (its last round published); a live feed whose proxy settings changed reconnects with
    /// the new ones. Returns its state.
    /// </summary>
    [Alias("Start")]
    Task<FeedStatus> StartAsync(FeedModeStatus mode);

    /// <summary>Stops the feed once its last batch is published. Returns its state.</summary>
    [Alias("Stop")]
    Task<FeedStatus> StopAsync();

    /// <summary>The feed's state.</summary>
    [Alias("GetStatus")]
    Task<FeedStatus> GetStatusAsync();
}
