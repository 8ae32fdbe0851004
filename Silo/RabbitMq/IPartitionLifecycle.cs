namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// Learns when this process becomes or stops being the active consumer of a tick partition. The broker
/// never says so: the first delivery on a partition's channel is the only sign of ownership, so
/// <see cref="OnAcquiredAsync"/> runs before that delivery is handled (the place to claim the
/// partition's fence), and <see cref="OnReleasedAsync"/> runs when the channel is released or lost.
/// </summary>
public interface IPartitionLifecycle
{
    /// <summary>This process became the partition's active consumer; runs before its first batch is handled.</summary>
    /// <param name="partition">The partition.</param>
    ValueTask OnAcquiredAsync(int partition);

    /// <summary>This process is no longer the partition's consumer (released, or its channel or connection was lost).</summary>
    /// <param name="partition">The partition.</param>
    ValueTask OnReleasedAsync(int partition);
}
