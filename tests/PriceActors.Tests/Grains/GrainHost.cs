using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;
using PriceActors.Grains.Pairs;
using PriceActors.Grains.Storage;
using PriceActors.Grains.Streams;
using PriceActors.Runtime;
using PriceActors.Runtime.Hosting;

namespace PriceActors.Tests.Grains;

/// <summary>
/// An actor runtime wired through DI the way the silo wires it, on a given clock and store, with an
/// in-memory bus of its own and a log recorder. Runtime options default to "never idle" so only
/// tests about deactivation see one.
/// </summary>
internal sealed class GrainHost : IAsyncDisposable
{
    private readonly ServiceProvider provider;

    private GrainHost(ServiceProvider provider, LogRecorder logs)
    {
        this.provider = provider;
        Logs = logs;
        Runtime = provider.GetRequiredService<ActorRuntime>();
        Bus = provider.GetRequiredService<InMemoryBus>();
    }

    public ActorRuntime Runtime { get; }

    public InMemoryBus Bus { get; }

    public LogRecorder Logs { get; }

    public static GrainHost StartPairs(
        TimeProvider clock,
        IMarketStore store,
        Action<PairActorOptions>? pairs = null,
        Action<ActorRuntimeOptions>? actors = null,
        LogRecorder? logs = null) =>
        Start(clock, actors, logs, services =>
        {
            services.AddSingleton(store);
            services.Configure<PairActorOptions>(o => pairs?.Invoke(o));
        });

    public static GrainHost StartFeeds(
        TimeProvider clock,
        SyntheticFeedOptions feeds,
        ITickStream? stream = null,
        Action<ActorRuntimeOptions>? actors = null,
        IFeedPermit? permit = null) =>
        Start(clock, actors, null, services =>
        {
            services.AddSingleton(Options.Create(feeds));
            services.AddSingleton(permit ?? AlwaysPermitted.Instance);
            if (stream is null)
            {
                services.AddSingleton<ITickStream>(sp => sp.GetRequiredService<InMemoryBus>());
            }
            else
            {
                services.AddSingleton(stream);
            }
        });

    public ActorRef<IPairActor> Pair(InstrumentKey instrument) => Runtime.GetActor<IPairActor>(instrument.Value);

    public ActorRef<IExchangeFeedActor> Feed(string exchange) => Runtime.GetActor<IExchangeFeedActor>(exchange);

    public ValueTask DisposeAsync() => provider.DisposeAsync();

    private static GrainHost Start(TimeProvider clock, Action<ActorRuntimeOptions>? actors, LogRecorder? recorder, Action<IServiceCollection> configure)
    {
        var logs = recorder ?? new LogRecorder();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        services.AddSingleton<TimeProvider>(clock); // before AddActorRuntime, which only adds the system clock if none is there
        services.AddActorRuntime()
            .AddActor<IPairActor, PairActor>()
            .AddActor<IExchangeFeedActor, ExchangeFeedActor>();
        services.Configure<ActorRuntimeOptions>(o =>
        {
            o.IdleTimeout = TimeSpan.FromDays(7);
            o.CollectionInterval = TimeSpan.FromHours(1);
            actors?.Invoke(o);
        });
        services.AddSingleton<InMemoryBus>();
        services.AddSingleton<IUpdateStream>(sp => sp.GetRequiredService<InMemoryBus>());
        services.Configure<StreamOptions>(_ => { });
        services.Configure<InMemoryStoreOptions>(_ => { });
        configure(services);
        return new GrainHost(services.BuildServiceProvider(), logs);
    }
}
