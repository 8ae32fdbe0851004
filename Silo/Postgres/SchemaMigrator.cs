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
/// </summary>
public sealed partial class SchemaMigrator(NpgsqlDataSource dataSource, ILogger<SchemaMigrator> logger) : IHostedService
{
    private const string ResourcePrefix = "sql/";

    // Any constant shared by every process of this application; the value is "PriceAct" in ASCII.
    private const long LockKey = 0x5072696365416374;

    private const string CreateHistorySql = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
        """;

    /// <summary>The embedded migrations, in version order.</summary>
    public static IReadOnlyList<(int Version, string Name, string Sql)> Migrations { get; } = Load();

    /// <inheritdoc/>
    /// <remarks>REVIEW: a database that is down at start-up fails the start (the supervisor restarts the
    /// process); retrying here would need the store to wait for the schema.</remarks>
    public async Task StartAsync(CancellationToken cancellationToken) => await MigrateAsync(cancellationToken);

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

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
