using PriceActors.Grains;
using PriceActors.Grains.Streams;

namespace PriceActors.Tests.Silo.RabbitMq;

/// <summary>Records every update a subscription delivers, in arrival order.</summary>
internal sealed class RecordingObserver : IUpdateObserver
{
    private readonly Lock gate = new();
    private readonly List<object> received = [];

    public int Count
    {
        get
        {
            lock (gate)
            {
                return received.Count;
            }
        }
    }

    public object[] Received
    {
        get
        {
            lock (gate)
            {
                return [.. received];
            }
        }
    }

    public object[] Of(string symbol) => [.. Received.Where(u => u is PriceUpdated p ? p.Symbol == symbol : ((MinuteBarClosed)u).Bar.Symbol == symbol)];

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
