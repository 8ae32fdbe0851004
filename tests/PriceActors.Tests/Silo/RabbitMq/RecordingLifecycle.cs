using System.Collections.Concurrent;
using PriceActors.Silo.RabbitMq;

namespace PriceActors.Tests.Silo.RabbitMq;

/// <summary>Records which partitions a process acquired and released.</summary>
internal sealed class RecordingLifecycle : IPartitionLifecycle
{
    private readonly ConcurrentQueue<int> acquired = new();
    private readonly ConcurrentQueue<int> released = new();

    public int[] Acquired => [.. acquired];

    public int[] Released => [.. released];

    public ValueTask OnAcquiredAsync(int partition)
    {
        acquired.Enqueue(partition);
        return ValueTask.CompletedTask;
    }

    public ValueTask OnReleasedAsync(int partition)
    {
        released.Enqueue(partition);
        return ValueTask.CompletedTask;
    }
}
