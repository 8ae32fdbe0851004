using PriceActors.Grains;
using PriceActors.Grains.Storage;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary>
/// A store whose bar saves fail, writing nothing, while <see cref="FailBars"/> is set, as a lost database connection
/// would; trades are stored as usual.
/// </summary>
internal sealed class BarOutageStore(IMarketStore inner) : IMarketStore
{
    private volatile bool failBars;

    public bool FailBars
    {
        get => failBars;
        set => failBars = value;
    }

    public ValueTask AppendTicksAsync(InstrumentKey instrument, long epoch, ReadOnlyMemory<SequencedTick> ticks, CancellationToken cancellationToken) =>
        inner.AppendTicksAsync(instrument, epoch, ticks, cancellationToken);

    public ValueTask SaveBarAsync(MinuteBar bar, long epoch, CancellationToken cancellationToken) =>
        failBars ? ValueTask.FromException(new IOException("The database went away.")) : inner.SaveBarAsync(bar, epoch, cancellationToken);

    public ValueTask<PairHistory?> LoadAsync(InstrumentKey instrument, DateTimeOffset since, CancellationToken cancellationToken) =>
        inner.LoadAsync(instrument, since, cancellationToken);

    public StoreStatistics GetStatistics() => inner.GetStatistics();

    public ValueTask<IReadOnlyList<MinuteBar>> LoadBarsAsync(InstrumentKey instrument, long epoch, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        inner.LoadBarsAsync(instrument, epoch, from, to, limit, cancellationToken);

    public ValueTask<IReadOnlyList<SequencedTick>> LoadTicksAsync(InstrumentKey instrument, long epoch, DateTimeOffset since, int limit, CancellationToken cancellationToken) =>
        inner.LoadTicksAsync(instrument, epoch, since, limit, cancellationToken);
}
