using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Pairs;
using PriceActors.Grains.Storage;
using PriceActors.Grains.Streams;
using PriceActors.Runtime;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary>One pair actor on a manual clock, its store, and a recorder subscribed to its updates.</summary>
internal sealed class PairHarness : IAsyncDisposable
{
    public static readonly InstrumentKey Btc = InstrumentKey.Parse("binance:BTCUSDT");
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly Action<PairActorOptions>? pairs;
    private readonly Action<ActorRuntimeOptions>? actors;
    private IUpdateSubscription subscription = null!;

    private PairHarness(DateTimeOffset start, Action<PairActorOptions>? pairs, Action<ActorRuntimeOptions>? actors)
    {
        Clock = new ManualTimeProvider(start);
        this.pairs = pairs;
        this.actors = actors;
    }

    public ManualTimeProvider Clock { get; }

    public InMemoryStore Store { get; } = new(Options.Create(new InMemoryStoreOptions()));

    public GrainHost Host { get; private set; } = null!;

    /// <summary>What the current runtime's bus delivered.</summary>
    public UpdateRecorder Updates { get; private set; } = null!;

    public static async Task<PairHarness> StartAsync(DateTimeOffset start, Action<PairActorOptions>? pairs = null, Action<ActorRuntimeOptions>? actors = null)
    {
        var harness = new PairHarness(start, pairs, actors);
        await harness.StartHostAsync();
        return harness;
    }

    public Task<TicksRecorded> RecordAsync(params Tick[] ticks) => AskAsync(new RecordTicks(ticks));

    public Task<TResponse> AskAsync<TResponse>(IRequest<TResponse> request) =>
        Host.Pair(Btc).AskAsync(request).WaitAsync(Deadline);

    public void AdvanceTo(DateTimeOffset time) => Clock.Advance(time - Clock.GetUtcNow());

    /// <summary>Stops the runtime and starts a new one sharing the clock and the store.</summary>
    public async Task RestartAsync()
    {
        await Host.Runtime.StopAsync().WaitAsync(Deadline);
        await DisposeAsync();
        await StartHostAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await subscription.DisposeAsync();
        await Host.DisposeAsync();
    }

    private async Task StartHostAsync()
    {
        Host = GrainHost.StartPairs(Clock, Store, pairs, actors);
        Updates = new UpdateRecorder();
        subscription = Host.Bus.Subscribe(Updates);
        await subscription.AddAsync(Btc);
    }
}
