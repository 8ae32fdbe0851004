namespace PriceActors.Grains.Streams;

/// <summary>Receives updates of the instruments its subscription added. Calls must return quickly and not throw.</summary>
public interface IUpdateObserver
{
    /// <summary>An instrument's price changed.</summary>
    /// <param name="update">The update.</param>
    void OnPriceUpdated(PriceUpdated update);

    /// <summary>An instrument's minute bar closed.</summary>
    /// <param name="closed">The bar.</param>
    void OnMinuteBarClosed(MinuteBarClosed closed);
}
