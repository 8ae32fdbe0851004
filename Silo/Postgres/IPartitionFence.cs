using PriceActors.Grains;
using PriceActors.Grains.Streams;

namespace PriceActors.Silo.Postgres;

/// <summary>
/// Owner epochs of the tick-stream partitions this silo owns. Claiming a partition increments its
/// owner epoch in PostgreSQL; every store write carries the token and is refused once another silo
/// claimed the partition, so a silo that froze and woke up cannot overwrite the new owner's state.
/// </summary>
public interface IPartitionFence
{
    /// <summary>
    /// Takes the partition over: increments its owner epoch (creating the row on first claim), records
    /// this silo as owner and keeps the new epoch as this silo's token. Writes of the previous owner
    /// that have not committed yet are refused from now on.
    /// </summary>
    /// <param name="partition">The partition.</param>
    /// <param name="siloId">This silo's id.</param>
    /// <param name="cancellationToken">Cancels the claim.</param>
    /// <returns>The new owner epoch.</returns>
    ValueTask<long> ClaimAsync(int partition, string siloId, CancellationToken cancellationToken);

    /// <summary>This silo's owner epoch of the partition; null when it has not claimed it or released it.</summary>
    /// <param name="partition">The partition.</param>
    long? TokenOf(int partition);

    /// <summary>The fence row an instrument's writes are checked against: by default its partition of the tick stream.</summary>
    /// <param name="instrument">The instrument.</param>
    /// <param name="partitionCount">The tick stream's partitions.</param>
    int KeyOf(InstrumentKey instrument, int partitionCount) => PartitionMap.PartitionOf(instrument, partitionCount);

    /// <summary>Forgets this silo's token: its later writes to the partition fail at once.</summary>
    /// <param name="partition">The partition.</param>
    void Release(int partition);
}
