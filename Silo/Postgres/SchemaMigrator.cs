using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Npgsql;

namespace PriceActors.Silo.Postgres;

/// <summary>
/// Applies the schema files embedded from <c>sql/</c> (<c>NNN_name.sql</c>) in version order at
/// start-up, each once: every file runs in its own transaction under a transaction-scoped advisory
/// lock and is recorded in <c>schema_migrations</c>, so silos starting together apply each file
/// exactly once and none of them starts on a half-applied schema.
/// <para>
/// The host's start does not wait for it: a database that is down or unreachable at start-up is tried again
/// (after 0.5 s, doubling up to <see cref="RetryCeiling"/>), while the process listens and its readiness says
/// why it is not ready. The services that use the database wait for <see cref="WaitUntilAppliedAsync"/> first.
/// </para>
/// </summary>
public sealed partial class SchemaMigrator : IHostedService, IDisposable
{
    /// <summary>The longest wait between two attempts to apply the schema.</summary>
    public static readonly TimeSpan RetryCeiling = TimeSpan.FromSeconds(5);

    private const string ResourcePrefix = "sql/";

    // Any constant shared by every process of this application; the value is "PriceAct" in ASCII.
    private const long LockKey = 0x5072696365416374;

    private const string CreateHistorySql = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
        """;

    private static readonly TimeSpan RetryFirst = TimeSpan.FromMilliseconds(500);
    private readonly TaskCompletionSource current = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource stopping = new();
    private readonly NpgsqlDataSource dataSource;
    private readonly ILogger<SchemaMigrator> logger;
    private readonly TimeProvider time;
    private Task? applying;
    private volatile string? lastError;
    private int attempts;

    /// <summary>Creates the migrator.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="logger">Where applied files and failed attempts are logged.</param>
    /// <param name="time">The clock of the waits between attempts (the system's by default).</param>
    public SchemaMigrator(NpgsqlDataSource dataSource, ILogger<SchemaMigrator> logger, TimeProvider? time = null)
    {
        this.dataSource = dataSource;
        this.logger = logger;
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>The embedded migrations, in version order.</summary>
    public static IReadOnlyList<(int Version, string Name, string Sql)> Migrations { get; } = Load();

    /// <summary>Whether the schema is current (applied by this process's start).</summary>
    public bool IsApplied => current.Task.IsCompletedSuccessfully;

    /// <summary>Why the last attempt failed, or null when none has failed since the schema was applied or the start.</summary>
    public string? LastError => lastError;

    /// <summary>How many attempts the start has made so far.</summary>
    public int Attempts => Volatile.Read(ref attempts);

    /// <summary>Completes once the start has applied the schema; cancelled with <paramref name="cancellationToken"/>.</summary>
    /// <param name="cancellationToken">Stops waiting (the host stopping).</param>
    public Task WaitUntilAppliedAsync(CancellationToken cancellationToken) => current.Task.WaitAsync(cancellationToken);

    /// <inheritdoc/>
    /// <remarks>Returns at once; the attempts run in the background until one succeeds or the host stops.</remarks>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        applying = ApplyUntilDoneAsync(stopping.Token);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        if (applying is not null)
        {
            await applying.WaitAsync(cancellationToken);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => stopping.Dispose();

    /// <summary>Applies the migrations not applied yet; returns how many this call applied.</summary>
    /// <param name="cancellationToken">Cancels the migration (the current file's transaction rolls back).</param>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        var applied = 0;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var (version, name, sql) in Migrations)
        {
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock($1)", cancellationToken, LockKey);
            await ExecuteAsync(connection, CreateHistorySql, cancellationToken);
            await using (var check = new NpgsqlCommand("SELECT 1 FROM schema_migrations WHERE version = $1", connection))
            {
                check.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
                if (await check.ExecuteScalarAsync(cancellationToken) is not null)
                {
                    continue;
                }
            }

            await ExecuteAsync(connection, sql, cancellationToken);
            await using (var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())", connection))
            {
                record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = version });
                record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
                await record.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            applied++;
            PostgresStoreLog.MigrationApplied(logger, version, name);
        }

        PostgresStoreLog.SchemaReady(logger, Migrations.Count > 0 ? Migrations[^1].Version : 0, applied);
        return applied;
    }

    private async Task ApplyUntilDoneAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        var delay = RetryFirst;
        while (!stoppingToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref attempts);
            try
            {
                await MigrateAsync(stoppingToken);
                lastError = null;
                current.TrySetResult();
                return;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception error)
            {
                // Down, unreachable or refusing (a transient failure), or a file that fails (a deployment's bug, which
                // an operator fixes by deploying again): either way the process stays up and says why.
                lastError = error.Message;
                if (error is NpgsqlException { IsTransient: true } or System.Net.Sockets.SocketException or TimeoutException)
                {
                    PostgresStoreLog.SchemaUnavailable(logger, Attempts, delay, error.Message);
                }
                else
                {
                    PostgresStoreLog.SchemaFailed(logger, error, Attempts, delay);
                }
            }

            try
            {
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, RetryCeiling.Ticks));
        }

        current.TrySetCanceled(stoppingToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, long? argument = null)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (argument is { } value)
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = value });
        }

        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<(int, string, string)> Load()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var migrations = new List<(int Version, string Name, string Sql)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var match = FileName().Match(resource[ResourcePrefix.Length..]);
            if (!match.Success)
            {
                throw new InvalidOperationException($"Embedded schema file '{resource}' is not named NNN_name.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add((int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value, reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        return duplicate is null ? migrations : throw new InvalidOperationException($"Two schema files have version {duplicate.Key}.");
    }

    [GeneratedRegex(@"^(\d+)_(.+)\.sql$")]
    private static partial Regex FileName();
}
