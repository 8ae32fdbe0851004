namespace PriceActors.Tests.Silo.Feeds;

/// <summary>One silo running one exchange's feed from <see cref="StartedAt"/> until <see cref="StoppedAt"/> (wall clock).</summary>
internal sealed class FeedRun(string silo, string exchange, DateTimeOffset startedAt)
{
    public string Silo { get; } = silo;

    public string Exchange { get; } = exchange;

    public DateTimeOffset StartedAt { get; } = startedAt;

    public DateTimeOffset? StoppedAt { get; set; }
}
