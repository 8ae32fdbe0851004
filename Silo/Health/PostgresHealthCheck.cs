using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using PriceActors.Silo.Postgres;

namespace PriceActors.Silo.Health;

/// <summary>
/// Runs <c>SELECT 1</c> with a short timeout: unhealthy, with the reason, when PostgreSQL cannot answer, and while the
/// <paramref name="schema"/> migrator (when given) has not applied the schema yet, with its last attempt's error.
/// </summary>
/// <param name="dataSource">The database.</param>
/// <param name="schema">The silo's schema migrator; none for a bare connectivity check.</param>
public sealed class PostgresHealthCheck(NpgsqlDataSource dataSource, SchemaMigrator? schema = null) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    /// <inheritdoc/>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Timeout);
        try
        {
            await using var command = dataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(deadline.Token);
            return schema is null or { IsApplied: true }
                ? HealthCheckResult.Healthy("PostgreSQL answers")
                : HealthCheckResult.Unhealthy($"PostgreSQL answers; the schema is not applied yet ({schema.Attempts} attempts; last error: {schema.LastError ?? "none"})");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL did not answer within {Timeout.TotalSeconds:0} s");
        }
        catch (Exception error) when (error is NpgsqlException or System.Net.Sockets.SocketException or TimeoutException)
        {
            var waiting = schema is null or { IsApplied: true } ? string.Empty : $"; the schema is not applied yet ({schema.Attempts} attempts)";
            return HealthCheckResult.Unhealthy($"PostgreSQL is unavailable: {error.Message}{waiting}", error);
        }
    }
}
