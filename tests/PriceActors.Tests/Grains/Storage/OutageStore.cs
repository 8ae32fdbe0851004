using PriceActors.Grains;
using PriceActors.Grains.Storage;

namespace PriceActors.Tests.Grains.Storage;

/// <summary>
/// An in-memory store that can be taken down: while <see cref="Outage"/> is set, appends wait for it
/// to complete and then fail as a lost database connection would, writing nothing.
/// </summary>
internal sealed class OutageStore(IMarketStore inner) : IMarketStore
{
    public TaskCompletionSource? Outage { get; set; }

    public async ValueTask AppendTicksAsync(InstrumentKey instrument, long epoch, ReadOnlyMemory<SequencedTick> ticks, CancellationToken cancellationToken)
    {
        if (Outage is { } outage)
        {
            await outage.Task;
            throw new IOException("The database went away.");
        }

        await inner.AppendTicksAsync(instrument, epoch, ticks, cancellationToken);
    }

    public ValueTask SaveBarAsync(MinuteBar bar, long epoch, CancellationToken cancellationToken) => inner.SaveBarAsync(bar, epoch, cancellationToken);

    public ValueTask<PairHistory?> LoadAsync(InstrumentKey instrument, DateTimeOffset since, CancellationToken cancellationToken) =>
        inner.LoadAsync(instrument, since, cancellationToken);

    public StoreStatistics GetStatistics() => inner.GetStatistics();

    public ValueTask<IReadOnlyList<MinuteBar>> LoadBarsAsync(InstrumentKey instrument, long epoch, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        inner.LoadBarsAsync(instrument, epoch, from, to, limit, cancellationToken);

    public ValueTask<IReadOnlyList<SequencedTick>> LoadTicksAsync(InstrumentKey instrument, long epoch, DateTimeOffset since, int limit, CancellationToken cancellationToken) =>
        inner.LoadTicksAsync(instrument, epoch, since, limit, cancellationToken);
}
