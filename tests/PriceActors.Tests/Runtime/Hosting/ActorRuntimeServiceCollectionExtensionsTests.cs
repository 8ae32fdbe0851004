using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using PriceActors.Runtime;
using PriceActors.Runtime.Hosting;
using PriceActors.Tests.Runtime.Support;
using PriceActors.Tests.Runtime.TestActors;
using PriceActors.Tests.Support;
using DeactivationReason = PriceActors.Runtime.DeactivationReason;

namespace PriceActors.Tests.Runtime.Hosting;

public sealed class ActorRuntimeServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddActorRuntime_Resolved_ClientAndTransportAreTheOneRuntime()
    {
        await using var provider = Build(new Dictionary<string, string?>());

        var runtime = provider.GetRequiredService<ActorRuntime>();

        Assert.Same(runtime, provider.GetRequiredService<IActorClient>());
        Assert.Same(runtime, provider.GetRequiredService<IActorTransport>());
    }

    [Fact]
    public async Task AddActorRuntime_TimeProviderRegisteredFirst_RuntimeUsesIt()
    {
        var clock = new ManualTimeProvider();
        await using var provider = Build(new Dictionary<string, string?>(), clock);

        Assert.Same(clock, provider.GetRequiredService<ActorRuntime>().Time);
    }

    [Fact]
    public async Task AddActorRuntime_NoTimeProvider_UsesTheSystemClock()
    {
        await using var provider = Build(new Dictionary<string, string?>(), time: null);

        Assert.Same(TimeProvider.System, provider.GetRequiredService<ActorRuntime>().Time);
    }

    [Fact]
    public async Task AddActorRuntime_ActorsSection_BindsTheOptions()
    {
        await using var provider = Build(new Dictionary<string, string?>
        {
            ["Actors:MailboxCapacity"] = "3",
            ["Actors:IdleTimeout"] = "00:02:00",
        });

        var options = provider.GetRequiredService<IOptions<ActorRuntimeOptions>>().Value;

        Assert.Equal(3, options.MailboxCapacity);
        Assert.Equal(TimeSpan.FromMinutes(2), options.IdleTimeout);
    }

    [Fact]
    public async Task AddActorRuntime_OptionOutOfRange_FailsValidation()
    {
        await using var provider = Build(new Dictionary<string, string?> { ["Actors:MailboxCapacity"] = "0" });

        Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ActorRuntime>());
    }

    [Fact]
    public async Task AddActor_TwoActors_RegistersEach()
    {
        await using var provider = Build(new Dictionary<string, string?>());

        var names = provider.GetServices<ActorRegistration>().Select(r => r.TypeName);

        Assert.Equal(["counter", "recorder"], names.Order());
    }

    [Fact]
    public async Task HostedService_StopAsync_StopsTheRuntime()
    {
        await using var provider = Build(new Dictionary<string, string?>());
        var runtime = provider.GetRequiredService<ActorRuntime>();
        var recorder = runtime.GetActor<IRecorderActor>("a");
        await recorder.AskAsync(new GetLog()).WithDeadline();

        foreach (var service in provider.GetServices<IHostedService>())
        {
            await service.StopAsync(CancellationToken.None).WithDeadline();
        }

        var deactivation = Assert.Single(provider.GetRequiredService<ActorProbe>().Deactivations);
        Assert.Equal(DeactivationReason.Shutdown, deactivation.Reason);
        await Assert.ThrowsAsync<ActorUnavailableException>(() => recorder.TellAsync(new Append("late")).WithDeadline());
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings, TimeProvider? time = default)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddSingleton<ActorProbe>();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddActorRuntime()
            .AddActor<IRecorderActor, RecorderActor>()
            .AddActor<ICounterActor, CounterActor>();
        return services.BuildServiceProvider();
    }
}
