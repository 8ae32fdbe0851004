using System.ComponentModel.DataAnnotations;

namespace PriceActors.Grains.Streams;

/// <summary>Settings of the tick and update streams, bound from the <c>Streams</c> section.</summary>
public sealed class StreamOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Streams";

    /// <summary>
    /// Partitions of the tick stream. Default 8; 1 to 1024. Every process of a cluster must agree. A partition is
    /// the unit of ownership, so a cluster spreads its pairs over at most this many silos. Each partition is also a
    /// queue that every publish flush sends its own message to, and the broker's work grows with messages, not
    /// ticks: at 100k ticks/s on 2 cores, 8 instead of 16 took a fifth off the broker's CPU (bench/README.md;
    /// its latency counts used a measure later found biased low). Raise it for more silos. Changing it moves instruments between partitions: stop every process and drain the tick queues first.
    /// </summary>
    [Range(1, 1024)]
    public int PartitionCount { get; set; } = 8;

    /// <summary>Tick batches a partition buffers before feeds wait (in-memory bus). Default 1024; 1 to 1,048,576.</summary>
    [Range(1, 1_048_576)]
    public int PartitionBufferCapacity { get; set; } = 1024;
}
