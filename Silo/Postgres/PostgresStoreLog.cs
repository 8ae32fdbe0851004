namespace PriceActors.Silo.Postgres;

/// <summary>Log messages of the PostgreSQL store (event ids 5001-5099).</summary>
internal static partial class PostgresStoreLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Warning,
        Message = "Tick flush of {Appends} appends ({Ticks} ticks, {Instruments} instruments) failed; callers get the error and the writer carries on")]
    public static partial void FlushFailed(ILogger logger, Exception error, int appends, int ticks, int instruments);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning,
        Message = "Refused {Appends} appends of fenced pairs {Pairs}: another activation claimed them since")]
    public static partial void AppendsFenced(ILogger logger, int appends, string pairs);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information,
        Message = "Tick retention: created {Created} daily partitions up to {LastDay}, dropped {Dropped} before {Cutoff}")]
    public static partial void RetentionEnforced(ILogger logger, int created, DateOnly lastDay, int dropped, DateOnly cutoff);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Tick retention failed; next attempt in {Interval}")]
    public static partial void RetentionFailed(ILogger logger, Exception error, TimeSpan interval);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "Applied schema migration {Version} {Name}")]
    public static partial void MigrationApplied(ILogger logger, int version, string name);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "Schema is at version {Version} ({Applied} migrations applied now)")]
    public static partial void SchemaReady(ILogger logger, int version, int applied);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "The tick writer recovered after {Failures} failed flushes")]
    public static partial void FlushRecovered(ILogger logger, int failures);

    [LoggerMessage(EventId = 5008, Level = LogLevel.Debug,
        Message = "Tick flush of {Appends} appends ({Ticks} ticks) on writer {Writer}: fence {FenceMs:F1} ms, ticks {TicksMs:F1} ms, pair_state {StateMs:F1} ms, commit {CommitMs:F1} ms")]
    public static partial void FlushTimed(ILogger logger, int appends, int ticks, int writer, double fenceMs, double ticksMs, double stateMs, double commitMs);

    [LoggerMessage(EventId = 5009, Level = LogLevel.Warning,
        Message = "Cannot apply the schema (attempt {Attempt}): PostgreSQL is unavailable; next attempt in {Delay}: {Reason}")]
    public static partial void SchemaUnavailable(ILogger logger, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(EventId = 5010, Level = LogLevel.Error, Message = "Applying the schema failed (attempt {Attempt}); next attempt in {Delay}")]
    public static partial void SchemaFailed(ILogger logger, Exception error, int attempt, TimeSpan delay);

    [LoggerMessage(EventId = 5011, Level = LogLevel.Warning, Message = "Saving {Bars} minute bars failed; their pairs get the error")]
    public static partial void BarFlushFailed(ILogger logger, Exception error, int bars);
}
