using PriceActors.Grains;
using PriceActors.Grains.Streams;

namespace PriceActors.Tests.Grains;

/// <summary>An update observer that keeps what it receives, in arrival order.</summary>
internal sealed class UpdateRecorder : IUpdateObserver
{
    private readonly Lock gate = new();
    private readonly List<object> received = [];

    /// <summary>Price updates and closed bars, in the order they arrived.</summary>
    public IReadOnlyList<object> Received
    {
        get
        {
            lock (gate)
            {
                return [.. received];
            }
        }
    }

    public IReadOnlyList<PriceUpdated> Prices => [.. Received.OfType<PriceUpdated>()];

    public IReadOnlyList<MinuteBarClosed> ClosedBars => [.. Received.OfType<MinuteBarClosed>()];

    public void OnPriceUpdated(PriceUpdated update)
    {
        lock (gate)
        {
            received.Add(update);
        }
    }

    public void OnMinuteBarClosed(MinuteBarClosed closed)
    {
        lock (gate)
        {
            received.Add(closed);
        }
    }
}
