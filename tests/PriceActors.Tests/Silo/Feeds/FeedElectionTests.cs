using PriceActors.Tests.Silo.Postgres;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Silo.Feeds;

public sealed class FeedElectionTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly TimeSpan Lease = TimeSpan.FromMilliseconds(1500);
    private static readonly TimeSpan Renew = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task ExecuteAsync_TwoSilosOneDatabase_ExactlyOneRunsEachFeed()
    {
        var recorder = new FeedRecorder();
        string[] exchanges = ["split-a", "split-b", "split-c"];
        await using var a = await ElectionSilo.StartAsync("silo-a", database, recorder, exchanges, Lease, Renew);
        await using var b = await ElectionSilo.StartAsync("silo-b", database, recorder, exchanges, Lease, Renew);

        await Poll.UntilAsync(() => a.Election.View.Rounds >= 6 && b.Election.View.Rounds >= 6, Deadline, "six rounds on each silo");

        foreach (var exchange in exchanges)
        {
            var holder = Assert.Single(recorder.RunningSilos(exchange));
            Assert.Single(recorder.Runs, r => r.Exchange == exchange); // started once, never flapped
            var views = new[] { a, b }.Select(s => s.Election.View.Feeds.Single(f => f.Exchange == exchange)).ToList();
            Assert.Single(views, v => v.Held && v.FeedRunning);
            Assert.All(views, v => Assert.Equal(holder, v.Owner));
        }

        Assert.Empty(recorder.Overlaps);
    }

    [Fact]
    public async Task MayPublish_ByTheClockAlone_TrueWhileHeldFalseFromTheStopBoundAfterTheLastRenewalSent()
    {
        var clock = new ManualTimeProvider();
        var recorder = new FeedRecorder();
        await using var a = await ElectionSilo.StartAsync("silo-a", database, recorder, ["permit"], Lease, Renew, clock);
        await Poll.UntilAsync(() => recorder.RunningSilos("permit").SequenceEqual([a.Id]), Deadline, "silo-a runs the feed");

        Assert.True(a.Election.MayPublish("permit"));
        Assert.False(a.Election.MayPublish("not-elected"));

        // No renewal from now on: the permit ends the lease duration less one renew interval after the last one was sent.
        a.Leases.Unreachable = true;
        var bound = Lease - Renew;
        clock.Advance(bound - TimeSpan.FromTicks(1));
        Assert.True(a.Election.MayPublish("permit"));
        clock.Advance(TimeSpan.FromTicks(1));
        Assert.False(a.Election.MayPublish("permit"));
        await Poll.UntilAsync(() => recorder.RunningSilos("permit").Count == 0, Deadline, "the election stops the feed too");
    }

    [Fact]
    public async Task StopAsync_Owner_OtherStartsTheFeedWithinOneRenewInterval()
    {
        var recorder = new FeedRecorder();
        var lease = TimeSpan.FromSeconds(5); // a takeover by expiry would take this long
        await using var a = await ElectionSilo.StartAsync("silo-a", database, recorder, ["handover"], lease, Renew);
        await Poll.UntilAsync(() => recorder.RunningSilos("handover").SequenceEqual([a.Id]), Deadline, "silo-a runs the feed");
        await using var b = await ElectionSilo.StartAsync("silo-b", database, recorder, ["handover"], lease, Renew);
        await Poll.UntilAsync(() => b.Election.View.Feeds[0].Owner == a.Id, Deadline, "silo-b sees silo-a as the owner");

        await a.StopAsync();
        var stoppedAt = DateTimeOffset.UtcNow;

        await Poll.UntilAsync(() => recorder.RunningSilos("handover").SequenceEqual([b.Id]), Deadline, "silo-b runs the feed");
        var started = recorder.LastRun(b.Id, "handover")!.StartedAt;
        Assert.True(started - stoppedAt < Renew + TimeSpan.FromMilliseconds(400), $"took {(started - stoppedAt).TotalMilliseconds:0} ms");
        Assert.True(recorder.LastRun(a.Id, "handover")!.StoppedAt <= started);
        Assert.Empty(recorder.Overlaps);
        Assert.Equal(2, b.Election.View.Feeds[0].Epoch);
    }

    [Fact]
    public async Task ExecuteAsync_OwnerCrashes_OtherStartsTheFeedOnlyAfterTheLeaseExpires()
    {
        var recorder = new FeedRecorder();
        await using var a = await ElectionSilo.StartAsync("silo-a", database, recorder, ["crash"], Lease, Renew);
        await Poll.UntilAsync(() => recorder.RunningSilos("crash").SequenceEqual([a.Id]), Deadline, "silo-a runs the feed");
        await using var b = await ElectionSilo.StartAsync("silo-b", database, recorder, ["crash"], Lease, Renew);
        await Poll.UntilAsync(() => b.Election.View.Feeds[0].Owner == a.Id, Deadline, "silo-b sees silo-a as the owner");

        var crashedAt = DateTimeOffset.UtcNow;
        await a.CrashAsync();

        await Poll.UntilAsync(() => recorder.RunningSilos("crash").SequenceEqual([b.Id]), Deadline, "silo-b runs the feed");
        var started = recorder.LastRun(b.Id, "crash")!.StartedAt;
        var expiry = a.Leases.LastGranted("crash")!.ExpiresAt;
        Assert.True(started >= expiry, $"started {(expiry - started).TotalMilliseconds:0} ms before silo-a's lease expired");
        Assert.True(started - crashedAt < Lease + (2 * Renew) + TimeSpan.FromSeconds(1), $"took {(started - crashedAt).TotalMilliseconds:0} ms");
        Assert.Equal(0, a.Logs.CountOf(8010)); // nothing released: the takeover came from expiry
        Assert.Empty(recorder.Overlaps);
    }

    [Fact]
    public async Task ExecuteAsync_OwnerLosesTheDatabase_StopsItsFeedBeforeItsLeaseExpiresAndTheOtherTakesOver()
    {
        // Longer than the other tests: the margin between the stop deadline and the expiry is one renew
        // interval, and on a loaded two-core machine a test process can stall for most of a second (with
        // 3 s / 750 ms, one full-suite run stopped 56 ms after the expiry).
        var lease = TimeSpan.FromSeconds(6);
        var renew = TimeSpan.FromMilliseconds(1500);
        var recorder = new FeedRecorder();
        await using var a = await ElectionSilo.StartAsync("silo-a", database, recorder, ["cut"], lease, renew);
        await Poll.UntilAsync(() => recorder.RunningSilos("cut").SequenceEqual([a.Id]), Deadline, "silo-a runs the feed");
        await using var b = await ElectionSilo.StartAsync("silo-b", database, recorder, ["cut"], lease, renew);
        await Poll.UntilAsync(() => b.Election.View.Feeds[0].Owner == a.Id, Deadline, "silo-b sees silo-a as the owner");

        a.Leases.Unreachable = true;

        await Poll.UntilAsync(() => recorder.RunningSilos("cut").SequenceEqual([b.Id]), lease + Deadline, "silo-b runs the feed");
        var stopped = recorder.LastRun(a.Id, "cut")!.StoppedAt!.Value;
        var started = recorder.LastRun(b.Id, "cut")!.StartedAt;
        var expiry = a.Leases.LastGranted("cut")!.ExpiresAt;
        Assert.True(stopped < expiry, $"silo-a stopped its feed {(stopped - expiry).TotalMilliseconds:0} ms after its lease expired");
        Assert.True(stopped < started);
        Assert.Empty(recorder.Overlaps);
        Assert.Equal(1, a.Logs.CountOf(8005)); // stopped by the deadline, not by a lost claim
        Assert.False(a.Election.View.LeaseTableReachable);
        Assert.False(a.Election.View.Feeds[0].Held);

        a.Leases.Unreachable = false;

        await Poll.UntilAsync(
            () => a.Election.View.LeaseTableReachable && a.Election.View.Feeds[0].Owner == b.Id,
            Deadline,
            "silo-a reaches the table again and sees silo-b as the owner");
        Assert.Equal([b.Id], recorder.RunningSilos("cut"));
        Assert.Empty(recorder.Overlaps);
    }
}
