using PriceActors.Grains;
using PriceActors.Runtime;

namespace PriceActors.Gateway.Pairs;

// REVIEW: the cluster gateway's path to the pair actors over RabbitMQ request/reply; goes with the old runtime.

/// <summary>Asks the instrument's pair actor.</summary>
internal sealed class ActorPairQueries(IActorClient actors) : IPairQueries
{
    public Task<PriceUpdated?> GetLatestPriceAsync(InstrumentKey instrument, CancellationToken cancellationToken) =>
        Pair(instrument).AskAsync(GetLatestPrice.Instance, cancellationToken);

    public Task<WindowStats> GetWindowStatsAsync(InstrumentKey instrument, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Pair(instrument).AskAsync(new GetWindowStats(from, to), cancellationToken);

    public Task<MinuteBarHistory> GetMinuteBarsAsync(InstrumentKey instrument, int limit, CancellationToken cancellationToken) =>
        Pair(instrument).AskAsync(new GetMinuteBars(limit), cancellationToken);

    private ActorRef<IPairActor> Pair(InstrumentKey instrument) => actors.GetActor<IPairActor>(instrument.Value);
}
