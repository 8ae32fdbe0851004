using PriceActors.Grains;

namespace PriceActors.Gateway.Pairs;

// REVIEW: a seam for the move onto Orleans only. The cluster gateway still asks the pair actors over RabbitMQ;
// once it is an Orleans client, the endpoints and the broadcaster call IPairGrain directly and this goes.

/// <summary>What the gateway asks an instrument's pair.</summary>
public interface IPairQueries
{
    /// <summary>The latest trade as an update; null before the first.</summary>
    Task<PriceUpdated?> GetLatestPriceAsync(InstrumentKey instrument, CancellationToken cancellationToken);

    /// <summary>Statistics over <c>[from, to)</c>.</summary>
    Task<WindowStats> GetWindowStatsAsync(InstrumentKey instrument, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

    /// <summary>The most recent closed minute bars and the open one.</summary>
    Task<MinuteBarHistory> GetMinuteBarsAsync(InstrumentKey instrument, int limit, CancellationToken cancellationToken);
}
