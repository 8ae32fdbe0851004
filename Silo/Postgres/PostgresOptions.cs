using System.ComponentModel.DataAnnotations;

namespace PriceActors.Silo.Postgres;

/// <summary>Settings of the PostgreSQL store (cluster mode), bound from the <c>Postgres</c> section.</summary>
public sealed class PostgresOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Postgres";

    /// <summary>Npgsql connection string, e.g. <c>Host=db;Port=5432;Username=priceactors;Database=priceactors</c>. Required.</summary>
    [Required]
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>
    /// Connections the store keeps at most (writers, bar saves, pairs loading on activation, retention); the Orleans
    /// providers have their own (<c>Orleans:ProviderMaxPoolSize</c>). Default 20; 2 to 1000.
    /// </summary>
    [Range(2, 1000)]
    public int MaxPoolSize { get; set; } = 20;

    /// <summary>Whole days of raw ticks kept; older daily partitions are dropped. Default 7; 1 to 3650.</summary>
    [Range(1, 3650)]
    public int TickRetention { get; set; } = 7;

    /// <summary>Daily tick partitions created ahead of today. Default 2; 1 to 60.</summary>
    [Range(1, 60)]
    public int PartitionsAhead { get; set; } = 2;

    /// <summary>How often retention runs (creates upcoming partitions, drops expired ones). Default 1 hour; 1 minute to 1 day.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Group commit: after the first append arrives, the writer waits this long for others before it
    /// writes them all in one transaction (not when a full flush is already pending). Default 5 ms; 0 to 1 s.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>At most this many ticks go into one transaction; the rest wait for the next. Default 50,000; 1 to 1,000,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxTicksPerFlush { get; set; } = 50_000;

    /// <summary>Appends (one per actor batch) queued for the writer before callers wait. Default 8192; 1 to 1,000,000.</summary>
    [Range(1, 1_000_000)]
    public int MaxPendingAppends { get; set; } = 8192;

    /// <summary>
    /// Group-commit writers, each with its own connection and queue, flushing in parallel. An instrument's
    /// appends always go to the same writer, in order, so its ticks commit in order; every flush checks
    /// the fence in its own transaction. <see cref="MaxPendingAppends"/> is shared out among them.
    /// Default 1: with one row per append the database keeps up with one writer, and on a 2-core machine
    /// shared with the rest of the cluster a second one only made more, smaller flushes (bench/README.md). More
    /// writers help where the database has cores of its own. 1 to 16.
    /// </summary>
    [Range(1, 16)]
    public int Writers { get; set; } = 1;

    /// <summary>
    /// How ticks are stored: <see cref="TickRowLayout.Packed"/> (default) in one compact column, 10 to 20 bytes a tick,
    /// copied by the server as it comes; <see cref="TickRowLayout.Arrays"/> as eight per-tick arrays, 60 to 70 bytes a
    /// tick, for a cluster being upgraded from a release before schema version 5, whose silos would not read packed
    /// rows when they rebuild a pair. Both are read.
    /// </summary>
    [EnumDataType(typeof(TickRowLayout))]
    public TickRowLayout TickRowLayout { get; set; } = TickRowLayout.Packed;
}
