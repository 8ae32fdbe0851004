namespace PriceActors.Silo.RabbitMq;

/// <summary>A lifecycle that does nothing, for processes that keep no partition state.</summary>
public sealed class NoPartitionLifecycle : IPartitionLifecycle
{
    /// <summary>The shared instance.</summary>
    public static readonly NoPartitionLifecycle Instance = new();

    /// <inheritdoc/>
    public ValueTask OnAcquiredAsync(int partition) => ValueTask.CompletedTask;

    /// <inheritdoc/>
    public ValueTask OnReleasedAsync(int partition) => ValueTask.CompletedTask;
}
