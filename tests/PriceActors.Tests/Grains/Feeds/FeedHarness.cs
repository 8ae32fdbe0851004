using PriceActors.Grains;
using PriceActors.Grains.Feeds;
using PriceActors.Grains.Streams;
using PriceActors.Runtime;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Grains.Feeds;

/// <summary>The feed actor of binance on a watched manual clock, a consumer of its bus and a reference of what it should publish.</summary>
internal sealed class FeedHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset StartTime = new(2026, 3, 2, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly SyntheticInstrument[] reference;
    private readonly TickConsumer? consumer;

    private FeedHarness(SyntheticFeedOptions options, ITickStream? stream, Action<ActorRuntimeOptions>? actors, IFeedPermit? permit)
    {
        Clock = new WatchedClock(new ManualTimeProvider(StartTime), options.PublishInterval);
        Host = GrainHost.StartFeeds(Clock, options, stream: stream, actors: actors, permit: permit);
        consumer = stream is null ? TickConsumer.Start(Host.Bus) : null;
        reference = [.. options.AllSymbols().Select(s => new SyntheticInstrument(InstrumentKey.Create("binance", s), options.InitialPriceOf(s), options, StartTime))];
    }

    public WatchedClock Clock { get; }

    public GrainHost Host { get; }

    /// <summary>Consumes the host's bus; there is none when the feed publishes to a stream of the test's.</summary>
    public TickConsumer Consumer => consumer ?? throw new InvalidOperationException("The feed publishes to the test's own stream.");

    /// <summary>Every tick the reference instruments made so far, instrument by instrument.</summary>
    public List<Tick> Expected { get; } = [];

    public static FeedHarness Start(ITickStream? stream = null, Action<ActorRuntimeOptions>? actors = null, double ticksPerSecond = 20, IFeedPermit? permit = null)
    {
        var options = new SyntheticFeedOptions
        {
            Exchanges = ["binance"],
            Symbols = ["BTCUSDT", "ETHUSDT"],
            InitialPrices = new() { ["BTCUSDT"] = 97_000m, ["ETHUSDT"] = 3_500m },
            TicksPerSecond = ticksPerSecond,
            PublishInterval = TimeSpan.FromMilliseconds(100),
            Paced = true,
            Seed = 7,
        };
        return new FeedHarness(options, stream, actors, permit);
    }

    public Task<TResponse> AskAsync<TResponse>(IRequest<TResponse> request) =>
        Host.Feed("binance").AskAsync(request).WaitAsync(Deadline);

    /// <summary>Waits until the consumer got every tick due before <paramref name="until"/>, then compares them with the reference.</summary>
    public async Task ExpectPublishedUntilAsync(DateTimeOffset until)
    {
        var buffer = new Tick[100_000];
        foreach (var instrument in reference)
        {
            var count = instrument.GenerateDue(until.UtcTicks, buffer, until);
            Expected.AddRange(buffer.AsSpan(0, count).ToArray());
        }

        await Consumer.WaitForTicksAsync(Expected.Count);
        foreach (var instrument in reference.Select(r => r.Instrument))
        {
            Assert.Equal(
                Expected.Where(t => t.Instrument == instrument).Select(WithoutReceiveTime),
                Consumer.Ticks.Where(t => t.Instrument == instrument).Select(WithoutReceiveTime));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Host.Runtime.StopAsync().WaitAsync(Deadline);
        if (consumer is not null)
        {
            await consumer.DisposeAsync();
        }

        await Host.DisposeAsync();
    }

    // The feed stamps a batch with the time it woke up, which may be any of the timer's ticks on the way.
    private static Tick WithoutReceiveTime(Tick tick) => tick with { ReceiveTime = default };
}
