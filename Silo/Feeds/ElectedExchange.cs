namespace PriceActors.Silo.Feeds;

/// <summary>One exchange as a <see cref="FeedElection"/> sees it; touched only by the election's loop.</summary>
internal sealed class ElectedExchange(string exchange)
{
    public string Exchange { get; } = exchange;

    /// <summary>This silo holds the lease and may run the feed, until <see cref="RenewalSentAt"/> plus the stop bound.</summary>
    public bool Held { get; set; }

    /// <summary>Local timestamp taken before sending the last successful claim: the lease lasts at least the lease duration from it.</summary>
    public long RenewalSentAt { get; set; }

    /// <summary>A StartFeed was sent and no StopFeed has succeeded since: the feed may be running.</summary>
    public bool FeedMayRun { get; set; }

    /// <summary>StartFeed succeeded for the current term.</summary>
    public bool FeedStarted { get; set; }

    public FeedLeaseClaim? LastClaim { get; set; }

    public int Failures { get; set; }

    public Exception? LastError { get; set; }

    public FeedLeaseView ToView() =>
        new(Exchange, Held, LastClaim?.Owner, LastClaim?.Epoch ?? 0, LastClaim?.ExpiresAt, FeedStarted && FeedMayRun);
}
