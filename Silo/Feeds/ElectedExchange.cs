namespace PriceActors.Silo.Feeds;

/// <summary>
/// One exchange as a <see cref="FeedElection"/> sees it; touched only by the election's loop, but for
/// <see cref="PermitUntil"/>, which the feed reads before each batch.
/// </summary>
internal sealed class ElectedExchange(string exchange)
{
    private bool held;
    private long permitUntil = long.MinValue;

    public string Exchange { get; } = exchange;

    /// <summary>This silo holds the lease and may run the feed, until <see cref="RenewalSentAt"/> plus the stop bound. Not held ends the permit.</summary>
    public bool Held
    {
        get => held;
        set
        {
            held = value;
            if (!value)
            {
                PermitUntil = long.MinValue;
            }
        }
    }

    /// <summary>Local timestamp until which the feed may publish: the stop bound after the last renewal sent while held.</summary>
    public long PermitUntil
    {
        get => Volatile.Read(ref permitUntil);
        set => Volatile.Write(ref permitUntil, value);
    }

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
