using PriceActors.Grains;

namespace PriceActors.Silo.RabbitMq;

/// <summary>Names of the bus's queues and exchanges and the routing keys of its messages.</summary>
/// <param name="Prefix">Prefix of every name, from <see cref="RabbitMqOptions.Prefix"/>.</param>
public sealed record RabbitMqNames(string Prefix)
{
    /// <summary>
    /// The direct exchange of price updates and closed bars. Named for its type: the topic exchange that came
    /// before it was <c>{prefix}.updates</c>, and a durable exchange cannot change type under the same name.
    /// </summary>
    public string UpdateExchange => $"{Prefix}.updates.direct";

    /// <summary>The quorum queue of a tick partition.</summary>
    /// <param name="partition">The partition.</param>
    public string TickQueue(int partition) => $"{Prefix}.ticks.{partition}";

    /// <summary>The transient classic queue of the requests to a partition's actors, consumed by the partition's owner.</summary>
    /// <param name="partition">The partition.</param>
    public string RequestQueue(int partition) => $"{Prefix}.requests.{partition}";

    /// <summary>A new name for one gateway's update queue.</summary>
    public string NewSubscriptionQueue() => $"{Prefix}.subscription.{Guid.NewGuid():N}";

    /// <summary>
    /// The routing (and binding) key of an instrument's updates: its canonical key, e.g. <c>binance:BTC.USD</c>.
    /// The canonical key is unique (':' separates exchange and symbol), so no two instruments collide.
    /// </summary>
    /// <param name="instrument">The instrument.</param>
    public static string RoutingKey(InstrumentKey instrument) => instrument.Value;
}
