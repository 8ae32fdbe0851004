using PriceActors.Grains;
using PriceActors.Grains.Pairs;
using PriceActors.Grains.Storage;
using PriceActors.Grains.Streams;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary>The pair actor on the old runtime, its updates from the in-memory bus (delivered synchronously).</summary>
internal sealed class ActorPairTarget : IPairTarget
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly TimeProvider clock;
    private readonly IMarketStore store;
    private readonly Action<PairActorOptions> options;
    private readonly InstrumentKey instrument;
    private GrainHost host = null!;
    private IUpdateSubscription subscription = null!;

    private ActorPairTarget(InstrumentKey instrument, TimeProvider clock, IMarketStore store, Action<PairActorOptions> options)
    {
        this.instrument = instrument;
        this.clock = clock;
        this.store = store;
        this.options = options;
    }

    public bool CarriesForeignTicks => true;

    public UpdateRecorder Updates { get; } = new();

    public LogRecorder Logs { get; } = new();

    public static async Task<IPairTarget> StartAsync(InstrumentKey instrument, TimeProvider clock, IMarketStore store, Action<PairActorOptions> options)
    {
        var target = new ActorPairTarget(instrument, clock, store, options);
        await target.StartHostAsync();
        return target;
    }

    public Task<TicksRecorded> RecordAsync(Tick[] ticks) => Pair.AskAsync(new RecordTicks(ticks)).WaitAsync(Deadline);

    public Task<PriceUpdated?> LatestAsync() => Pair.AskAsync(GetLatestPrice.Instance).WaitAsync(Deadline);

    public Task<WindowStats> StatsAsync(DateTimeOffset from, DateTimeOffset to) => Pair.AskAsync(new GetWindowStats(from, to)).WaitAsync(Deadline);

    public Task<MinuteBarHistory> BarsAsync(int limit) => Pair.AskAsync(new GetMinuteBars(limit)).WaitAsync(Deadline);

    public async Task RestartAsync()
    {
        await host.Runtime.StopAsync().WaitAsync(Deadline);
        await subscription.DisposeAsync();
        await host.DisposeAsync();
        await StartHostAsync();
    }

    public async Task SettleAsync(int prices, int closedBars) => await Pair.AskAsync(GetLatestPrice.Instance).WaitAsync(Deadline);

    public async ValueTask DisposeAsync()
    {
        await subscription.DisposeAsync();
        await host.DisposeAsync();
    }

    private PriceActors.Runtime.ActorRef<IPairActor> Pair => host.Pair(instrument);

    private async Task StartHostAsync()
    {
        host = GrainHost.StartPairs(clock, store, options, logs: Logs);
        subscription = host.Bus.Subscribe(Updates);
        await subscription.AddAsync(instrument);
    }
}
