namespace PriceActors.Silo.Feeds;

/// <summary>Log messages of the feed election (event ids 8001-8099).</summary>
internal static partial class FeedElectionLog
{
    [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Silo {SiloId} holds the {Exchange} feed lease, epoch {Epoch}, until {ExpiresAt}")]
    public static partial void LeaseGained(ILogger logger, string siloId, string exchange, long epoch, DateTimeOffset expiresAt);

    [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "Silo {SiloId} lost the {Exchange} feed lease to {Owner} (epoch {Epoch})")]
    public static partial void LeaseLost(ILogger logger, string siloId, string exchange, string owner, long epoch);

    [LoggerMessage(EventId = 8003, Level = LogLevel.Warning,
        Message = "Silo {SiloId} could not reach the {Exchange} feed lease ({Failures} attempts in a row); retrying every {Interval}")]
    public static partial void AttemptFailed(ILogger logger, Exception error, string siloId, string exchange, int failures, TimeSpan interval);

    [LoggerMessage(EventId = 8004, Level = LogLevel.Information, Message = "Silo {SiloId} reached the {Exchange} feed lease again after {Failures} failed attempts")]
    public static partial void AttemptRecovered(ILogger logger, string siloId, string exchange, int failures);

    [LoggerMessage(EventId = 8005, Level = LogLevel.Warning,
        Message = "Silo {SiloId} stops the {Exchange} feed: its lease was last renewed {Elapsed} ago and may expire {Margin} later")]
    public static partial void LeaseLapsing(ILogger logger, string siloId, string exchange, TimeSpan elapsed, TimeSpan margin);

    [LoggerMessage(EventId = 8006, Level = LogLevel.Information, Message = "Silo {SiloId} started the {Exchange} feed (lease epoch {Epoch})")]
    public static partial void FeedStarted(ILogger logger, string siloId, string exchange, long epoch);

    [LoggerMessage(EventId = 8007, Level = LogLevel.Information, Message = "Silo {SiloId} stopped the {Exchange} feed")]
    public static partial void FeedStopped(ILogger logger, string siloId, string exchange);

    [LoggerMessage(EventId = 8008, Level = LogLevel.Error, Message = "Silo {SiloId} could not start the {Exchange} feed; retrying next round")]
    public static partial void StartFailed(ILogger logger, Exception error, string siloId, string exchange);

    [LoggerMessage(EventId = 8009, Level = LogLevel.Error, Message = "Silo {SiloId} could not stop the {Exchange} feed; retrying")]
    public static partial void StopFailed(ILogger logger, Exception error, string siloId, string exchange);

    [LoggerMessage(EventId = 8010, Level = LogLevel.Information, Message = "Silo {SiloId} released the {Exchange} feed lease")]
    public static partial void Released(ILogger logger, string siloId, string exchange);

    [LoggerMessage(EventId = 8011, Level = LogLevel.Warning,
        Message = "Silo {SiloId} could not release the {Exchange} feed lease; it expires on its own within {LeaseDuration}")]
    public static partial void ReleaseFailed(ILogger logger, Exception error, string siloId, string exchange, TimeSpan leaseDuration);

    [LoggerMessage(EventId = 8012, Level = LogLevel.Error, Message = "Feed election round of silo {SiloId} failed; next round in {Interval}")]
    public static partial void RoundFailed(ILogger logger, Exception error, string siloId, TimeSpan interval);
}
