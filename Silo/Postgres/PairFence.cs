using System.Collections.Concurrent;
using Npgsql;
using PriceActors.Grains;

namespace PriceActors.Silo.Postgres;

/// <summary>
/// Lets one activation of a pair at a time write it. Each pair has a fence row of its own in <c>partition_owners</c> (its
/// key from <c>pair_fence_keys</c>, from 1,000,000 up); the pair's activation claims it (<see cref="ClaimAsync"/>), which
/// moves the row's owner epoch on and keeps the new epoch here as this silo's token. Every write of the pair carries
/// (key, token) and is checked against the row in its own transaction, so once another activation claimed the pair the
/// earlier one's writes are refused (<see cref="PairFencedException"/>).
/// </summary>
/// <param name="dataSource">The database.</param>
/// <param name="owner">This silo, as recorded with its claims (<c>partition_owners.owner_silo</c>).</param>
public sealed class PairFence(NpgsqlDataSource dataSource, string owner)
{
    // DO UPDATE rather than DO NOTHING, so the key comes back even when another silo created it a moment ago. The
    // owner row's UPDATE waits for writes holding FOR SHARE locks on it, so when the claim returns no write checked
    // against the old epoch can still commit.
    private const string ClaimSql = """
        WITH pair AS (
            INSERT INTO pair_fence_keys (pair_name) VALUES ($1)
            ON CONFLICT (pair_name) DO UPDATE SET pair_name = excluded.pair_name
            RETURNING fence_key)
        INSERT INTO partition_owners (partition, owner_silo, owner_epoch, claimed_at)
        SELECT fence_key, $2, 1, now() FROM pair
        ON CONFLICT (partition) DO UPDATE
            SET owner_silo = excluded.owner_silo,
                owner_epoch = partition_owners.owner_epoch + 1,
                claimed_at = excluded.claimed_at
        RETURNING partition, owner_epoch
        """;

    private readonly ConcurrentDictionary<InstrumentKey, (int Key, long Token)> claims = new();

    /// <summary>
    /// Claims the pair for this silo: increments its owner epoch (creating its key and row on the first claim) and keeps
    /// the new epoch as this silo's token. Writes made under an earlier token, here or on another silo, are refused from
    /// now on.
    /// </summary>
    /// <param name="instrument">The pair.</param>
    /// <param name="cancellationToken">Cancels the claim.</param>
    /// <returns>The pair's new owner epoch.</returns>
    public async ValueTask<long> ClaimAsync(InstrumentKey instrument, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(ClaimSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instrument.Value });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = owner });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var claim = (Key: reader.GetInt32(0), Token: reader.GetInt64(1));

        // Two claims of one pair racing here: the newer epoch is the one the database holds.
        claims.AddOrUpdate(instrument, claim, (_, held) => held.Token > claim.Token ? held : claim);
        return claim.Token;
    }

    /// <summary>The pair's fence key and this silo's owner epoch of it; null when this silo has not claimed the pair.</summary>
    /// <param name="instrument">The pair.</param>
    public (int Key, long Token)? ClaimOf(InstrumentKey instrument) => claims.TryGetValue(instrument, out var claim) ? claim : null;
}
