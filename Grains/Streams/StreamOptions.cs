using System.ComponentModel.DataAnnotations;

namespace PriceActors.Grains.Streams;

/// <summary>Settings of the tick and update streams, bound from the <c>Streams</c> section.</summary>
public sealed class StreamOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Streams";

    /// <summary>Partitions of the tick stream. Default 16; 1 to 1024. Every process of a cluster must agree.</summary>
    [Range(1, 1024)]
    public int PartitionCount { get; set; } = 16;

    /// <summary>Tick batches a partition buffers before feeds wait (in-memory bus). Default 1024; 1 to 1,048,576.</summary>
    [Range(1, 1_048_576)]
    public int PartitionBufferCapacity { get; set; } = 1024;
}
