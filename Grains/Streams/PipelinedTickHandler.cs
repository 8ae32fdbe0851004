namespace PriceActors.Grains.Streams;

/// <summary>
/// Hands one batch to a handler that takes it first and makes it durable later (<see cref="ITickStream.ConsumePipelinedAsync"/>).
/// </summary>
/// <param name="batch">Trades of one instrument.</param>
/// <param name="after">
/// The task the instrument's previous batch was handled with (what this delegate returned for it), or a
/// completed task: the handler refuses the batch if it failed.
/// </param>
/// <param name="cancellationToken">Cancels taking the batch.</param>
/// <returns>Completes once the batch is taken, with the task that completes when it is handled.</returns>
public delegate ValueTask<Task> PipelinedTickHandler(TickBatch batch, Task after, CancellationToken cancellationToken);
