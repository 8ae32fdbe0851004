namespace PriceActors.Silo.Feeds;

/// <summary>What one silo's <see cref="FeedElection"/> knows about one exchange's feed lease.</summary>
/// <param name="Exchange">The exchange.</param>
/// <param name="Held">True while this silo holds the lease (and may run the feed).</param>
/// <param name="Owner">The holder seen at the last successful attempt; null before the first one.</param>
/// <param name="Epoch">The lease's epoch seen at the last successful attempt; 0 before the first one.</param>
/// <param name="ExpiresAt">When the lease expires, by the database clock, as seen at the last successful attempt.</param>
/// <param name="FeedRunning">True when this silo started the feed and has not stopped it.</param>
public sealed record FeedLeaseView(string Exchange, bool Held, string? Owner, long Epoch, DateTimeOffset? ExpiresAt, bool FeedRunning);
