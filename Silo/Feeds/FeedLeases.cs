using Microsoft.Extensions.Options;
using Npgsql;

namespace PriceActors.Silo.Feeds;

/// <summary>The <see cref="IFeedLeases"/> on the <c>feed_leases</c> table; expiry is judged by PostgreSQL's <c>now()</c>.</summary>
public sealed class FeedLeases(NpgsqlDataSource dataSource, IOptions<FeedElectionOptions> options) : IFeedLeases
{
    // The upsert locks the row even when its WHERE refuses the update, so concurrent claims serialize and
    // exactly one wins a free or expired lease. The epoch stays only for a renewal of a lease that has not
    // expired: a silo coming back to its own expired lease may have stopped its feed, so that is a new term.
    // The refused case reads the row from the statement's snapshot; a claim racing the very first insert
    // may find no row there at all, and is run again (see TryAcquireOrRenewAsync).
    private const string ClaimSql = """
        WITH claimed AS (
            INSERT INTO feed_leases AS l (exchange, owner_silo, lease_epoch, expires_at)
            VALUES ($1, $2, 1, now() + $3)
            ON CONFLICT (exchange) DO UPDATE
                SET owner_silo = excluded.owner_silo,
                    lease_epoch = CASE WHEN l.owner_silo = excluded.owner_silo AND l.expires_at > now()
                                       THEN l.lease_epoch ELSE l.lease_epoch + 1 END,
                    expires_at = excluded.expires_at
                WHERE l.owner_silo = excluded.owner_silo OR l.expires_at <= now()
            RETURNING lease_epoch, owner_silo, expires_at
        )
        SELECT true, lease_epoch, owner_silo, expires_at FROM claimed
        UNION ALL
        SELECT false, lease_epoch, owner_silo, expires_at FROM feed_leases
        WHERE exchange = $1 AND NOT EXISTS (SELECT FROM claimed)
        """;

    private const string ReleaseSql = """
        UPDATE feed_leases SET expires_at = now()
        WHERE exchange = $1 AND owner_silo = $2 AND expires_at > now()
        """;

    private const string ListSql = """
        SELECT exchange, owner_silo, lease_epoch, expires_at, expires_at > now() FROM feed_leases ORDER BY exchange
        """;

    private const int MaxClaimRuns = 3;

    /// <inheritdoc/>
    public async Task<FeedLeaseClaim> TryAcquireOrRenewAsync(string exchange, string siloId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(exchange);
        ArgumentException.ThrowIfNullOrEmpty(siloId);
        for (var run = 1; ; run++)
        {
            await using var command = dataSource.CreateCommand(ClaimSql);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = exchange });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = siloId });
            command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = options.Value.LeaseDuration });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                return new FeedLeaseClaim(
                    reader.GetBoolean(0),
                    reader.GetInt64(1),
                    reader.GetString(2),
                    reader.GetFieldValue<DateTimeOffset>(3));
            }

            // Lost the race for the first insert, whose row this statement's snapshot cannot see; the next one can.
            if (run == MaxClaimRuns)
            {
                throw new InvalidOperationException($"The lease of {exchange} was neither claimed nor found in {MaxClaimRuns} attempts.");
            }
        }
    }

    /// <inheritdoc/>
    public async Task<bool> ReleaseAsync(string exchange, string siloId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(exchange);
        ArgumentException.ThrowIfNullOrEmpty(siloId);
        await using var command = dataSource.CreateCommand(ReleaseSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = exchange });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = siloId });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<FeedLease>> GetLeasesAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ListSql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var leases = new List<FeedLease>();
        while (await reader.ReadAsync(cancellationToken))
        {
            leases.Add(new FeedLease(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetInt64(2),
                reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetBoolean(4)));
        }

        return leases;
    }
}
