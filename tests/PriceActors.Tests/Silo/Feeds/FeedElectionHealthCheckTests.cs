using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PriceActors.Grains.Feeds;
using PriceActors.Runtime;
using PriceActors.Silo.Feeds;
using PriceActors.Silo.Health;
using PriceActors.Silo.Membership;
using PriceActors.Tests.Silo.Postgres;

namespace PriceActors.Tests.Silo.Feeds;

public sealed class FeedElectionHealthCheckTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly TimeSpan Lease = TimeSpan.FromMilliseconds(1500);
    private static readonly TimeSpan Renew = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task CheckHealthAsync_NoRoundYet_Degraded()
    {
        var options = Options.Create(new FeedElectionOptions());
        using var election = new FeedElection(
            new FeedLeases(database.DataSource, options),
            new NoActors(),
            new SiloIdentity("silo-a", "localhost", 1, DateTimeOffset.UtcNow),
            options,
            Options.Create(new SyntheticFeedOptions { Exchanges = ["idle"] }),
            TimeProvider.System,
            NullLogger<FeedElection>.Instance);

        var result = await new FeedElectionHealthCheck(election).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Degraded, result.Status);
    }

    [Fact]
    public async Task CheckHealthAsync_LeaseTableReachable_HealthyNamingTheFeedsItRuns()
    {
        var recorder = new FeedRecorder();
        await using var silo = await ElectionSilo.StartAsync("silo-a", database, recorder, ["healthy"], Lease, Renew);
        await Poll.UntilAsync(() => silo.Election.View.Feeds[0].FeedRunning, Deadline, "the silo runs the feed");

        var result = await new FeedElectionHealthCheck(silo.Election).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Contains("healthy", result.Description, StringComparison.Ordinal);
        var view = Assert.IsType<FeedLeaseView>(result.Data["healthy"]);
        Assert.Equal(("silo-a", true), (view.Owner, view.Held));
    }

    [Fact]
    public async Task CheckHealthAsync_LeaseTableUnreachable_DegradedWithTheReason()
    {
        var recorder = new FeedRecorder();
        await using var silo = await ElectionSilo.StartAsync("silo-a", database, recorder, ["unreachable"], Lease, Renew);
        await Poll.UntilAsync(() => silo.Election.View.LeaseTableReachable, Deadline, "the first round reaches the table");

        silo.Leases.Unreachable = true;
        await Poll.UntilAsync(() => !silo.Election.View.LeaseTableReachable, Deadline, "a round fails");
        var result = await new FeedElectionHealthCheck(silo.Election).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains("unreachable (test)", result.Description, StringComparison.Ordinal);
    }

    private sealed class NoActors : IActorClient
    {
        public ActorRef<TActor> GetActor<TActor>(string key)
            where TActor : IActor => throw new InvalidOperationException("No actor is asked before the election starts.");
    }
}
