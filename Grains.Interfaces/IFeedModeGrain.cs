using Orleans.Concurrency;

namespace PriceActors.Grains;

/// <summary>
/// The feed mode of the whole cluster, one grain (<see cref="Key"/>), persisted: test (synthetic feeds) or live (the
/// exchanges). A switch stores the new mode with a new <see cref="FeedModeStatus.Epoch"/>, stops the old mode's feeds
/// and starts the new mode's; every trade published from then on carries the new epoch, and each pair starts that
/// epoch with its first such trade (test and live trades never mix). The silos' feed keepers follow the stored mode, so
/// it survives a restart of the cluster.
/// </summary>
[Alias("priceactors.IFeedModeGrain")]
public interface IFeedModeGrain : IGrainWithStringKey
{
    /// <summary>The key of the one mode grain.</summary>
    const string Key = "cluster";

    /// <summary>The current mode; the first call stores <c>Feeds:Mode</c>.</summary>
    [AlwaysInterleave]
    [Alias("Get")]
    Task<FeedModeStatus> GetAsync();

    /// <summary>
    /// Switches every feed of the cluster to <paramref name="mode"/>; does nothing when it is the current one. Switching to
    /// test mode disables the proxies (keeping the list).
    /// </summary>
    [Alias("Switch")]
    Task<FeedModeStatus> SwitchAsync(FeedMode mode);

    /// <summary>
    /// Changes the live feeds' proxies: the policy when <paramref name="policy"/> is given, the list when
    /// <paramref name="urls"/> is. Throws <see cref="InvalidOperationException"/> (nothing changed) for a policy other
    /// than disabled in test mode or without a proxy in the list, and <see cref="ArgumentException"/> for a URL that
    /// cannot be a proxy. Live feeds reconnect with the new settings.
    /// </summary>
    [Alias("ChangeProxy")]
    Task<FeedModeStatus> ChangeProxyAsync(ProxyPolicy? policy, IReadOnlyList<string>? urls);
}

/// <summary>The cluster's feed mode.</summary>
/// <param name="Mode">Test or live.</param>
/// <param name="Epoch">The epoch of trades published in this mode: the time of the switch in Unix milliseconds (rising).</param>
/// <param name="ChangedAt">When the mode was set.</param>
/// <param name="Proxy">The live feeds' proxies.</param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.FeedModeStatus")]
public sealed record FeedModeStatus(FeedMode Mode, long Epoch, DateTimeOffset ChangedAt, FeedProxySettings Proxy);
