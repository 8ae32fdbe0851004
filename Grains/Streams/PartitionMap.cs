namespace PriceActors.Grains.Streams;

/// <summary>
/// Maps an instrument to its partition by a stable hash (FNV-1a over the canonical key), the same
/// in every process and version, so feeds and silos agree on where an instrument lives.
/// </summary>
public static class PartitionMap
{
    /// <summary>The partition of <paramref name="instrument"/> among <paramref name="partitionCount"/>.</summary>
    /// <param name="instrument">The instrument.</param>
    /// <param name="partitionCount">How many partitions there are, at least 1.</param>
    public static int PartitionOf(InstrumentKey instrument, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        var hash = 2166136261u;
        foreach (var c in instrument.Value)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)partitionCount);
    }
}
