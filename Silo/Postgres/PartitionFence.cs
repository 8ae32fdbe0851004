using System.Collections.Concurrent;
using Npgsql;

namespace PriceActors.Silo.Postgres;

/// <summary>The <see cref="IPartitionFence"/> on the <c>partition_owners</c> table.</summary>
public sealed class PartitionFence(NpgsqlDataSource dataSource) : IPartitionFence
{
    // The UPDATE waits for writes holding FOR SHARE locks on the row, so when the claim returns no
    // write checked against the old epoch can still commit.
    private const string ClaimSql = """
        INSERT INTO partition_owners (partition, owner_silo, owner_epoch, claimed_at)
        VALUES ($1, $2, 1, now())
        ON CONFLICT (partition) DO UPDATE
            SET owner_silo = excluded.owner_silo,
                owner_epoch = partition_owners.owner_epoch + 1,
                claimed_at = excluded.claimed_at
        RETURNING owner_epoch
        """;

    private readonly ConcurrentDictionary<int, long> tokens = new();

    /// <inheritdoc/>
    public async ValueTask<long> ClaimAsync(int partition, string siloId, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentException.ThrowIfNullOrEmpty(siloId);
        await using var command = dataSource.CreateCommand(ClaimSql);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = partition });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = siloId });
        var epoch = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        tokens[partition] = epoch;
        return epoch;
    }

    /// <inheritdoc/>
    public long? TokenOf(int partition) => tokens.TryGetValue(partition, out var token) ? token : null;

    /// <inheritdoc/>
    public void Release(int partition) => tokens.TryRemove(partition, out _);
}
