namespace PriceActors.Grains.Streams;

/// <summary>
/// The update stream: pair actors publish price updates and closed bars; each gateway subscribes
/// once and adds or removes the instruments its clients want. Per instrument, updates arrive in the
/// order they were published.
/// </summary>
public interface IUpdateStream : IUpdateSource
{
    /// <summary>Publishes a price update without waiting for subscribers.</summary>
    /// <param name="update">The update.</param>
    ValueTask PublishAsync(PriceUpdated update);

    /// <summary>Publishes a closed minute bar without waiting for subscribers.</summary>
    /// <param name="closed">The bar.</param>
    ValueTask PublishAsync(MinuteBarClosed closed);
}
