namespace PriceActors.Grains.Feeds.Live;

/// <summary>What one frame of an exchange's market-data stream was.</summary>
public enum FeedFrameKind
{
    /// <summary>Trades; they were added to the caller's list.</summary>
    Trades,

    /// <summary>Protocol traffic with no trade: a subscription's acknowledgement, a heartbeat, a pong.</summary>
    Control,

    /// <summary>The exchange announced it closes the connection; reconnect.</summary>
    Shutdown,

    /// <summary>The exchange answered a request with an error (<see cref="FeedFrame.Problem"/> says which).</summary>
    Error,

    /// <summary>Not a frame of the protocol (not JSON, truncated, an unknown event, a bad field): counted, logged, skipped.</summary>
    Malformed,
}

/// <summary>The outcome of parsing one frame: its kind, how many trades it held, and for errors and malformed frames why.</summary>
/// <param name="Kind">What the frame was.</param>
/// <param name="Trades">Trades added to the caller's list.</param>
/// <param name="Problem">For <see cref="FeedFrameKind.Error"/> and <see cref="FeedFrameKind.Malformed"/>: what is wrong, for the log.</param>
public readonly record struct FeedFrame(FeedFrameKind Kind, int Trades = 0, string? Problem = null)
{
    /// <summary>A frame that is not the protocol's, with the reason.</summary>
    public static FeedFrame Malformed(string problem) => new(FeedFrameKind.Malformed, 0, problem);
}
