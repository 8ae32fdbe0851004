using PriceActors.Runtime;
using PriceActors.Tests.Runtime.Support;
using PriceActors.Tests.Runtime.TestActors;
using DeactivationReason = PriceActors.Runtime.DeactivationReason;

namespace PriceActors.Tests.Runtime;

/// <summary>The idle collector: actors without messages for IdleTimeout are deactivated.</summary>
public sealed partial class ActorRuntimeTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan CollectionInterval = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task CollectIdle_NoMessageForIdleTimeout_DeactivatesWithReasonIdle()
    {
        await using var test = StartCollecting();
        var recorder = test.Recorder("a");
        var first = await recorder.AskAsync(new GetLog()).WithDeadline();

        test.Clock.Advance(IdleTimeout);

        var deactivation = await test.Probe.WhenDeactivating(first.Instance);
        Assert.Equal(DeactivationReason.Idle, deactivation.Reason);
        Assert.Equal("a", deactivation.Key);
    }

    [Fact]
    public async Task CollectIdle_MessageAfterDeactivation_ActivatesAFreshInstance()
    {
        await using var test = StartCollecting();
        var recorder = test.Recorder("a");
        await recorder.TellAsync(new Append("before")).WithDeadline();
        var first = await recorder.AskAsync(new GetLog()).WithDeadline();
        test.Clock.Advance(IdleTimeout);
        await test.Probe.WhenDeactivating(first.Instance);

        var second = await recorder.AskAsync(new GetLog()).WithDeadline();

        Assert.NotEqual(first.Instance, second.Instance);
        Assert.Equal(["activate"], second.Entries);
        var statistics = test.Statistics;
        Assert.Equal(1, statistics.Deactivated);
        Assert.Equal(2, statistics.Activated);
        Assert.Equal(1, statistics.Activations);
    }

    [Fact]
    public async Task CollectIdle_KeepAliveSet_ActorIsNotCollectedUntilItClearsIt()
    {
        await using var test = StartCollecting();
        var recorder = test.Recorder("a");
        await recorder.TellAsync(new SetKeepAlive(true)).WithDeadline();
        var first = await recorder.AskAsync(new GetLog()).WithDeadline();

        for (var i = 0; i < 3; i++)
        {
            test.Clock.Advance(IdleTimeout);
            var log = await recorder.AskAsync(new GetLog()).WithDeadline();
            Assert.Equal(first.Instance, log.Instance);
        }

        Assert.Empty(test.Probe.Deactivations);
        Assert.Equal(0, test.Statistics.Deactivated);

        // The collector was running all along: once the actor clears the flag it is collected.
        await recorder.TellAsync(new SetKeepAlive(false)).WithDeadline();
        await recorder.AskAsync(new GetLog()).WithDeadline();
        test.Clock.Advance(IdleTimeout);
        var deactivation = await test.Probe.WhenDeactivating(first.Instance);
        Assert.Equal(DeactivationReason.Idle, deactivation.Reason);
    }

    [Fact]
    public async Task CollectIdle_MessageArrivesWhileDeactivating_HandledByTheNextActivation()
    {
        await using var test = StartCollecting();
        var recorder = test.Recorder("a");
        var first = await recorder.AskAsync(new GetLog()).WithDeadline();
        test.Probe.Hold(ActorProbe.DeactivationGate("a"));
        test.Clock.Advance(IdleTimeout);
        await test.Probe.WhenDeactivating(first.Instance);

        var tell = recorder.TellAsync(new Append("during deactivation")).AsTask();

        Assert.False(tell.IsCompleted);
        test.Probe.Release(ActorProbe.DeactivationGate("a"));
        await tell.WithDeadline();
        var second = await recorder.AskAsync(new GetLog()).WithDeadline();
        Assert.NotEqual(first.Instance, second.Instance);
        Assert.Equal(["activate", "during deactivation"], second.Entries);
    }

    [Fact]
    public async Task CollectIdle_ManyIdleActors_DeactivatesEveryOne()
    {
        await using var test = StartCollecting();
        var instances = new List<int>();
        foreach (var key in new[] { "a", "b", "c" })
        {
            instances.Add((await test.Recorder(key).AskAsync(new GetLog()).WithDeadline()).Instance);
        }

        test.Clock.Advance(IdleTimeout);

        var deactivations = await Task.WhenAll(instances.Select(test.Probe.WhenDeactivating));
        Assert.All(deactivations, d => Assert.Equal(DeactivationReason.Idle, d.Reason));
        Assert.Equal(["a", "b", "c"], deactivations.Select(d => d.Key).Order());
    }

    [Fact]
    public async Task GetStatistics_CollectorChecksAKeptAliveActor_CountsOnlyMessagesAsProcessed()
    {
        await using var test = StartCollecting();
        var recorder = test.Recorder("a");
        await recorder.TellAsync(new SetKeepAlive(true)).WithDeadline();
        await recorder.AskAsync(new GetLog()).WithDeadline();

        test.Clock.Advance(IdleTimeout);
        var log = await recorder.AskAsync(new GetLog()).WithDeadline();

        // The collector's idle check ran before the last request (the mailbox is FIFO) and is
        // neither a message nor a timer tick.
        Assert.Equal(1, log.Instance);
        Assert.Equal(3, test.Statistics.MessagesProcessed);
    }

    private static TestRuntime StartCollecting() => TestRuntime.Start(o =>
    {
        o.IdleTimeout = IdleTimeout;
        o.CollectionInterval = CollectionInterval;
    });
}
