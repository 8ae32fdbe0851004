using PriceActors.Grains;

namespace PriceActors.Gateway.Streaming;

/// <summary>What a subscriber of the price hub receives.</summary>
public interface IPriceClient
{
    /// <summary>Sent as <c>priceUpdated</c>: the instrument's current price on subscribe, then every update.</summary>
    /// <param name="update">The update.</param>
    Task PriceUpdated(PriceUpdated update);

    /// <summary>Sent as <c>minuteBarClosed</c>: each closed minute bar of a subscribed instrument.</summary>
    /// <param name="bar">The bar.</param>
    Task MinuteBarClosed(MinuteBar bar);
}
