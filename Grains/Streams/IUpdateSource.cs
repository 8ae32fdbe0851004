namespace PriceActors.Grains.Streams;

/// <summary>Where a gateway subscribes to the updates of the instruments its clients want.</summary>
public interface IUpdateSource
{
    /// <summary>Opens a subscription that receives nothing until instruments are added.</summary>
    /// <param name="observer">Receives the updates; must not block.</param>
    IUpdateSubscription Subscribe(IUpdateObserver observer);
}
