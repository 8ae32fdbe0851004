using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PriceActors.Runtime;
using PriceActors.Runtime.Hosting;
using PriceActors.Tests.Runtime.TestActors;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Runtime.Support;

/// <summary>
/// A runtime built through DI the way the silo builds it, on a <see cref="ManualTimeProvider"/>,
/// hosting the test actors. Disposing it opens every gate and stops the runtime within the deadline.
/// </summary>
internal sealed class TestRuntime : IAsyncDisposable
{
    private readonly ServiceProvider provider;

    private TestRuntime(ServiceProvider provider)
    {
        this.provider = provider;
        Runtime = provider.GetRequiredService<ActorRuntime>();
        Clock = (ManualTimeProvider)provider.GetRequiredService<TimeProvider>();
        Probe = provider.GetRequiredService<ActorProbe>();
    }

    public ActorRuntime Runtime { get; }

    public ManualTimeProvider Clock { get; }

    public ActorProbe Probe { get; }

    public ActorRuntimeStatistics Statistics => Runtime.GetStatistics();

    public static TestRuntime Start(Action<ActorRuntimeOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton<TimeProvider>(new ManualTimeProvider());
        services.AddSingleton<ActorProbe>();
        services.Configure<ActorRuntimeOptions>(options => configure?.Invoke(options));
        services.AddActorRuntime()
            .AddActor<IRecorderActor, RecorderActor>()
            .AddActor<ITickerActor, TickerActor>()
            .AddActor<ICounterActor, CounterActor>()
            .AddActor<IThrowingActor, ThrowingActor>();
        return new TestRuntime(services.BuildServiceProvider());
    }

    public ActorRef<IRecorderActor> Recorder(string key) => Runtime.GetActor<IRecorderActor>(key);

    public ActorRef<ITickerActor> Ticker(string key) => Runtime.GetActor<ITickerActor>(key);

    public ActorRef<ICounterActor> Counter(string key) => Runtime.GetActor<ICounterActor>(key);

    public ActorRef<IThrowingActor> Throwing(string key) => Runtime.GetActor<IThrowingActor>(key);

    public async ValueTask DisposeAsync()
    {
        // Shutdown waits for busy actors on the manual clock, which never times out by itself.
        Probe.ReleaseAll();
        await Runtime.StopAsync().WithDeadline();
        await provider.DisposeAsync();
    }
}
