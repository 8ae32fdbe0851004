namespace PriceActors.Silo.Feeds;

/// <summary>The outcome of one acquire-or-renew attempt on an exchange's feed lease.</summary>
/// <param name="Held">True when the asking silo holds the lease now.</param>
/// <param name="Epoch">The lease's epoch: it increments whenever the lease changes hands or is taken again after it expired.</param>
/// <param name="Owner">The silo holding the lease (the asking one when <paramref name="Held"/>).</param>
/// <param name="ExpiresAt">When the lease expires unless renewed, by the database clock.</param>
public sealed record FeedLeaseClaim(bool Held, long Epoch, string Owner, DateTimeOffset ExpiresAt);
