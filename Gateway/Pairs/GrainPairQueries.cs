using PriceActors.Grains;

namespace PriceActors.Gateway.Pairs;

/// <summary>Asks the instrument's <see cref="IPairGrain"/>.</summary>
internal sealed class GrainPairQueries(IGrainFactory grains) : IPairQueries
{
    public Task<PriceUpdated?> GetLatestPriceAsync(InstrumentKey instrument, CancellationToken cancellationToken) =>
        Pair(instrument).GetLatestPriceAsync().WaitAsync(cancellationToken);

    public Task<WindowStats> GetWindowStatsAsync(InstrumentKey instrument, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Pair(instrument).GetWindowStatsAsync(from, to).WaitAsync(cancellationToken);

    public Task<MinuteBarHistory> GetMinuteBarsAsync(InstrumentKey instrument, int limit, CancellationToken cancellationToken) =>
        Pair(instrument).GetMinuteBarsAsync(limit).WaitAsync(cancellationToken);

    private IPairGrain Pair(InstrumentKey instrument) => grains.GetGrain<IPairGrain>(instrument.Value);
}
