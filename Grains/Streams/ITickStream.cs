namespace PriceActors.Grains.Streams;

/// <summary>
/// The tick stream (Orleans: a persistent stream): feeds publish trades, each batch goes to the
/// partition of its instrument, and silos consume the partitions they own, in order per partition.
/// </summary>
public interface ITickStream
{
    /// <summary>How many partitions instruments are spread over.</summary>
    int PartitionCount { get; }

    /// <summary>Publishes one batch; waits while the partition's buffer is full (back-pressure).</summary>
    /// <param name="batch">Trades of one instrument.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    ValueTask PublishAsync(TickBatch batch, CancellationToken cancellationToken);

    /// <summary>
    /// Hands every batch of the partitions this process owns to <paramref name="handler"/>, one at a
    /// time per partition, until cancelled. A batch counts as delivered once the handler completes.
    /// </summary>
    /// <param name="handler">Handles one batch.</param>
    /// <param name="cancellationToken">Stops consuming.</param>
    Task ConsumeAsync(Func<TickBatch, CancellationToken, ValueTask> handler, CancellationToken cancellationToken);

    /// <summary>
    /// Like <see cref="ConsumeAsync"/>, for a handler that takes a batch before it has handled it: a stream
    /// may hand an instrument's next batch over once the previous one is taken, and counts a batch as
    /// delivered once the task the handler returned for it completes. When that task fails, the batch and
    /// those of the instrument taken after it are handed over again, in order. The default hands every
    /// batch over only after the one before it is handled.
    /// </summary>
    /// <param name="handler">Takes one batch.</param>
    /// <param name="cancellationToken">Stops consuming.</param>
    Task ConsumePipelinedAsync(PipelinedTickHandler handler, CancellationToken cancellationToken) =>
        ConsumeAsync(async (batch, token) => await await handler(batch, Task.CompletedTask, token), cancellationToken);
}
