using PriceActors.Grains;
using PriceActors.Grains.Streams;

namespace PriceActors.Tests.Grains.Feeds;

/// <summary>A tick stream that fails every publish, as a broken broker connection would.</summary>
internal sealed class FailingStream : ITickStream
{
    private readonly TaskCompletionSource failed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Failed => failed.Task;

    public int PartitionCount => 1;

    public ValueTask PublishAsync(TickBatch batch, CancellationToken cancellationToken)
    {
        failed.TrySetResult();
        throw new InvalidOperationException("partition unavailable");
    }

    public Task ConsumeAsync(Func<TickBatch, CancellationToken, ValueTask> handler, CancellationToken cancellationToken) =>
        throw new NotSupportedException();
}
