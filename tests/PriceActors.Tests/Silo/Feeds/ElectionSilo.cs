using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;
using PriceActors.Runtime;
using PriceActors.Runtime.Hosting;
using PriceActors.Silo.Feeds;
using PriceActors.Silo.Membership;
using PriceActors.Tests.Grains;
using PriceActors.Tests.Silo.Postgres;

namespace PriceActors.Tests.Silo.Feeds;

/// <summary>
/// One "silo" of a feed election test: its own actor runtime hosting a <see cref="RecordingFeedActor"/>
/// and its own <see cref="FeedElection"/> (wired by <c>AddFeedElection</c>) on the shared test database,
/// reaching the lease table through a <see cref="FlakyFeedLeases"/> switch.
/// </summary>
internal sealed class ElectionSilo : IAsyncDisposable
{
    private readonly ServiceProvider provider;
    private readonly FeedRecorder recorder;
    private bool stopped;

    private ElectionSilo(ServiceProvider provider, FeedRecorder recorder)
    {
        this.provider = provider;
        this.recorder = recorder;
        Id = provider.GetRequiredService<SiloIdentity>().Id;
        Election = provider.GetRequiredService<FeedElection>();
        Leases = (FlakyFeedLeases)provider.GetRequiredService<IFeedLeases>();
        Logs = provider.GetRequiredService<LogRecorder>();
    }

    public string Id { get; }

    public FeedElection Election { get; }

    public FlakyFeedLeases Leases { get; }

    public LogRecorder Logs { get; }

    public static async Task<ElectionSilo> StartAsync(
        string id,
        PostgresDatabase database,
        FeedRecorder recorder,
        IReadOnlyList<string> exchanges,
        TimeSpan leaseDuration,
        TimeSpan renewInterval,
        TimeProvider? time = null)
    {
        var logs = new LogRecorder();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton(logs);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        services.AddSingleton(new SiloIdentity(id, "localhost", Environment.ProcessId, DateTimeOffset.UtcNow));
        services.AddSingleton(recorder);
        if (time is not null)
        {
            services.AddSingleton(time); // before the runtime and the election, which add the system clock only if none is there
        }

        services.AddActorRuntime().AddActor<IExchangeFeedActor, RecordingFeedActor>();
        services.AddSingleton(Options.Create(new SyntheticFeedOptions { Exchanges = [.. exchanges] }));
        services.AddSingleton<IFeedLeases>(sp => new FlakyFeedLeases(new FeedLeases(database.DataSource, sp.GetRequiredService<IOptions<FeedElectionOptions>>())));
        services.AddFeedElection();
        services.Configure<FeedElectionOptions>(o =>
        {
            o.LeaseDuration = leaseDuration;
            o.RenewInterval = renewInterval;
        });

        var silo = new ElectionSilo(services.BuildServiceProvider(validateScopes: true), recorder);
        await silo.Election.StartAsync(CancellationToken.None);
        return silo;
    }

    /// <summary>Graceful shutdown: the election stops its feeds and releases their leases.</summary>
    public async Task StopAsync()
    {
        stopped = true;
        await Election.StopAsync(CancellationToken.None);
    }

    /// <summary>
    /// The process dies: its feeds stop producing at once, the lease table hears nothing more from it, and
    /// the election that is torn down afterwards can neither stop a feed nor release a lease.
    /// </summary>
    public async Task CrashAsync()
    {
        stopped = true;
        Leases.Unreachable = true;
        recorder.Crashed(Id);
        await provider.GetRequiredService<ActorRuntime>().StopAsync();
        await Election.StopAsync(CancellationToken.None);
    }

    public async ValueTask DisposeAsync()
    {
        if (!stopped)
        {
            await StopAsync();
        }

        await provider.DisposeAsync();
    }
}
