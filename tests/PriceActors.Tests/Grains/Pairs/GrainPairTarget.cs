using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.TestingHost;
using PriceActors.Gateway.Streaming;
using PriceActors.Grains;
using PriceActors.Grains.Pairs;
using PriceActors.Grains.Storage;
using PriceActors.Grains.Streams;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary>
/// The pair grain in a one-silo Orleans test cluster whose grains run on the test's clock (<see cref="GrainClock"/>),
/// with memory streams as in embedded mode; its updates come through the gateway's <see cref="OrleansUpdateSource"/>
/// on the cluster client.
/// </summary>
internal sealed class GrainPairTarget : IPairTarget
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly InProcessTestCluster cluster;
    private readonly InstrumentKey instrument;
    private IUpdateSubscription subscription = null!;

    private GrainPairTarget(InProcessTestCluster cluster, InstrumentKey instrument, LogRecorder logs)
    {
        this.cluster = cluster;
        this.instrument = instrument;
        Logs = logs;
    }

    public bool CarriesForeignTicks => false;

    public UpdateRecorder Updates { get; } = new();

    public LogRecorder Logs { get; }

    private IPairGrain Pair => cluster.Client.GetGrain<IPairGrain>(instrument.Value);

    public static async Task<IPairTarget> StartAsync(InstrumentKey instrument, TimeProvider clock, IMarketStore store, Action<PairOptions> options)
    {
        var logs = new LogRecorder();
        var cluster = TestSilos.Build(1, (_, host) =>
        {
            host.Services.AddKeyedSingleton<TimeProvider>(TimeProviderNames.Grains, new GrainClock((ManualTimeProvider)clock));
            host.Services.AddSingleton(store);
            host.Services.Configure(options);
            host.Logging.AddProvider(logs).AddFilter<LogRecorder>((category, _) => category is not null && category.StartsWith("PriceActors", StringComparison.Ordinal));
        });
        await cluster.DeployAsync();
        var target = new GrainPairTarget(cluster, instrument, logs);
        target.subscription = new OrleansUpdateSource(cluster.Client, NullLogger<OrleansUpdateSource>.Instance).Subscribe(target.Updates);
        await target.subscription.AddAsync(instrument);
        return target;
    }

    public Task<TicksRecorded> RecordAsync(Tick[] ticks) => Pair.RecordTicksAsync(new TickBatch(instrument, ticks), 0).WaitAsync(Deadline);

    /// <summary>Records trades of a feed mode's epoch (<see cref="TickRound.Epoch"/>).</summary>
    public Task<TicksRecorded> RecordInEpochAsync(long epoch, params Tick[] ticks) => Pair.RecordTicksAsync(new TickBatch(instrument, ticks), epoch).WaitAsync(Deadline);

    /// <summary>
    /// Records a batch through a call made inside the silo: a <see cref="TickBatch"/> is immutable, so it reaches the
    /// grain uncopied, with ticks of other instruments too (the wire format writes the batch's instrument once).
    /// </summary>
    public Task<TicksRecorded> RecordInSiloAsync(Tick[] ticks) =>
        cluster.GetSiloServiceProvider().GetRequiredService<IGrainFactory>().GetGrain<IPairGrain>(instrument.Value)
            .RecordTicksAsync(new TickBatch(instrument, ticks), 0).WaitAsync(Deadline);

    /// <summary>Publishes a batch on the instrument's tick stream from inside the silo, as a feed grain does.</summary>
    public Task PublishAsync(Tick[] ticks) =>
        cluster.GetSiloServiceProvider().GetRequiredService<IClusterClient>().GetStreamProvider(StreamNames.TickProvider)
            .GetStream<TickRound>(StreamNames.TicksOf(instrument)).OnNextAsync(new TickRound([new TickBatch(instrument, ticks)])).WaitAsync(Deadline);

    public Task<PriceUpdated?> LatestAsync() => Pair.GetLatestPriceAsync().WaitAsync(Deadline);

    public Task<UpdateReplay> UpdatesSinceAsync(long epoch, long sequence, int limit) => Pair.GetUpdatesSinceAsync(epoch, sequence, limit).WaitAsync(Deadline);

    public Task<WindowStats> StatsAsync(DateTimeOffset from, DateTimeOffset to) => Pair.GetWindowStatsAsync(from, to).WaitAsync(Deadline);

    public Task<MinuteBarHistory> BarsAsync(int limit) => Pair.GetMinuteBarsAsync(limit).WaitAsync(Deadline);

    public Task RestartAsync() => cluster.DeactivateAsync(Pair).WaitAsync(Deadline);

    public async Task SettleAsync(int prices, int closedBars)
    {
        // Queries interleave with a timer turn that awaits the store or the stream; an empty batch does not, so once it
        // is answered every timer turn queued before it is done.
        await RecordAsync([]);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < deadline && (Updates.Prices.Count < prices || Updates.ClosedBars.Count < closedBars))
        {
            await Task.Delay(5);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await subscription.DisposeAsync();
        await cluster.DisposeAsync();
    }
}
