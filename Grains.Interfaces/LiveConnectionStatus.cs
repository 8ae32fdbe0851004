namespace PriceActors.Grains;

/// <summary>The connection of a live feed and what came over it since the feed started.</summary>
/// <param name="Endpoint">Where it connects (without credentials).</param>
/// <param name="Connected">Whether a connection is open now.</param>
/// <param name="Proxy">The proxy the current or last connection went through (host and port only), null when direct.</param>
/// <param name="LastMessageAt">When the last frame arrived.</param>
/// <param name="Connects">Connections opened.</param>
/// <param name="Reconnects">Connections opened after the first.</param>
/// <param name="StaleReconnects">Connections dropped because they were silent past <c>Feeds:Connection:StaleAfter</c>.</param>
/// <param name="MalformedFrames">Frames that were not the protocol's (not JSON, truncated, unknown, binary, oversized): skipped.</param>
/// <param name="ErrorFrames">Error replies of the exchange (a refused subscription).</param>
/// <param name="Gaps">Jumps in an instrument's trade ids that the exchange did not fill.</param>
/// <param name="MissedTrades">Trades those jumps skipped.</param>
/// <param name="DuplicateTrades">Trades received again (a snapshot after a reconnect) and dropped.</param>
/// <param name="UnlistedTrades">Trades of instruments not configured, dropped.</param>
/// <param name="TradesPerSecond">Trades accepted per second over the last 10 seconds.</param>
/// <param name="LastDisconnect">Why the last connection ended or the last attempt failed; null before either.</param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.LiveConnectionStatus")]
public sealed record LiveConnectionStatus(
    string Endpoint,
    bool Connected,
    string? Proxy,
    DateTimeOffset? LastMessageAt,
    long Connects,
    long Reconnects,
    long StaleReconnects,
    long MalformedFrames,
    long ErrorFrames,
    long Gaps,
    long MissedTrades,
    long DuplicateTrades,
    long UnlistedTrades,
    double TradesPerSecond,
    string? LastDisconnect);
