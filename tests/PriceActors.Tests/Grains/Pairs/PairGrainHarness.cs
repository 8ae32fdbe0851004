using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Pairs;
using PriceActors.Grains.Storage;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary>
/// The pair grain of <see cref="Btc"/> in a test cluster (<see cref="GrainPairTarget"/>) on a manual clock, over an
/// in-memory store the test may wrap (to make its writes fail), with the updates it published.
/// </summary>
internal sealed class PairGrainHarness : IAsyncDisposable
{
    public static readonly InstrumentKey Btc = InstrumentKey.Parse("binance:BTCUSDT");

    private PairGrainHarness(ManualTimeProvider clock, InMemoryStore store, GrainPairTarget pair) => (Clock, Store, Pair) = (clock, store, pair);

    public ManualTimeProvider Clock { get; }

    /// <summary>What is stored, behind any wrapper the test put in front of it.</summary>
    public InMemoryStore Store { get; }

    public GrainPairTarget Pair { get; }

    public UpdateRecorder Updates => Pair.Updates;

    public LogRecorder Logs => Pair.Logs;

    /// <summary>Starts the cluster at <paramref name="start"/>; the grain activates, and takes its epoch, at its first call.</summary>
    public static async Task<PairGrainHarness> StartAsync(DateTimeOffset start, Action<PairOptions>? options = null, Func<IMarketStore, IMarketStore>? wrapStore = null)
    {
        var clock = new ManualTimeProvider(start);
        var store = new InMemoryStore(Options.Create(new InMemoryStoreOptions()));
        var pair = (GrainPairTarget)await GrainPairTarget.StartAsync(Btc, clock, wrapStore?.Invoke(store) ?? store, options ?? (_ => { }));
        return new PairGrainHarness(clock, store, pair);
    }

    public Task<TicksRecorded> RecordAsync(params Tick[] ticks) => Pair.RecordAsync(ticks);

    /// <summary>Moves the clock, firing the grain's timers on the way, and waits until their turns are done.</summary>
    public async Task AdvanceToAsync(DateTimeOffset time)
    {
        Clock.Advance(time - Clock.GetUtcNow());
        await Pair.SettleAsync(0, 0);
    }

    public ValueTask DisposeAsync() => Pair.DisposeAsync();
}
