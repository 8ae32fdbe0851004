using System.Collections.Concurrent;
using Npgsql;
using PriceActors.Grains;

namespace PriceActors.Silo.Postgres;

/// <summary>
/// The fence of silos on Orleans, where a pair grain, not a tick partition, is what one silo at a time may write: each
/// pair has a row of its own in <c>partition_owners</c> (its key from <c>pair_fence_keys</c>), which the pair's activation
/// claims (<see cref="ClaimAsync(InstrumentKey, CancellationToken)"/>). A write of a pair this silo has not claimed, or
/// whose claim another silo took over, is refused.
/// </summary>
/// <param name="dataSource">The database.</param>
/// <param name="owner">This silo, as recorded with its claims.</param>
public sealed class PairFence(NpgsqlDataSource dataSource, string owner) : IPartitionFence
{
    private const string KeySql = """
        WITH created AS (
            INSERT INTO pair_fence_keys (pair_name) VALUES ($1)
            ON CONFLICT (pair_name) DO NOTHING
            RETURNING fence_key)
        SELECT fence_key FROM created
        UNION ALL
        SELECT fence_key FROM pair_fence_keys WHERE pair_name = $1
        """;

    private readonly PartitionFence rows = new(dataSource);
    private readonly ConcurrentDictionary<InstrumentKey, int> keys = new();

    /// <summary>Claims the pair for this silo: from now on only this silo's writes of it are accepted.</summary>
    /// <param name="instrument">The pair.</param>
    /// <param name="cancellationToken">Cancels the claim.</param>
    /// <returns>The pair's new owner epoch.</returns>
    public async ValueTask<long> ClaimAsync(InstrumentKey instrument, CancellationToken cancellationToken)
    {
        if (!keys.TryGetValue(instrument, out var key))
        {
            await using var command = dataSource.CreateCommand(KeySql);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instrument.Value });
            key = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
            keys[instrument] = key;
        }

        return await rows.ClaimAsync(key, owner, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<long> ClaimAsync(int partition, string siloId, CancellationToken cancellationToken) =>
        rows.ClaimAsync(partition, siloId, cancellationToken);

    /// <inheritdoc/>
    public long? TokenOf(int partition) => rows.TokenOf(partition);

    /// <inheritdoc/>
    public void Release(int partition) => rows.Release(partition);

    /// <inheritdoc/>
    /// <remarks>A pair this silo never claimed has no key here: -1, which no claim holds, so its writes are refused.</remarks>
    public int KeyOf(InstrumentKey instrument, int partitionCount) => keys.TryGetValue(instrument, out var key) ? key : -1;
}
