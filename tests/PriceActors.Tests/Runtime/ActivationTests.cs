using PriceActors.Runtime;
using PriceActors.Tests.Runtime.Support;
using PriceActors.Tests.Runtime.TestActors;
using DeactivationReason = PriceActors.Runtime.DeactivationReason;

namespace PriceActors.Tests.Runtime;

/// <summary>One activation's life: activation on the first message, isolated failures, deactivation.</summary>
public sealed partial class ActivationTests
{
    [Fact]
    public async Task TellAsync_FirstMessage_ActivatesOnceBeforeHandlingIt()
    {
        await using var test = TestRuntime.Start();
        var recorder = test.Recorder("a");

        await recorder.TellAsync(new Append("first")).WithDeadline();
        await recorder.TellAsync(new Append("second")).WithDeadline();

        var log = await recorder.AskAsync(new GetLog()).WithDeadline();
        Assert.Equal(["activate", "first", "second"], log.Entries);
        Assert.Equal(1, test.Probe.Instances);
        Assert.Equal(1, test.Statistics.Activated);
    }

    [Fact]
    public async Task AskAsync_OnActivateAsyncStillRunning_WaitsForIt()
    {
        await using var test = TestRuntime.Start();
        test.Probe.Hold(ActorProbe.ActivationGate("a"));

        var ask = test.Recorder("a").AskAsync(new GetLog());

        Assert.False(ask.IsCompleted);
        test.Probe.Release(ActorProbe.ActivationGate("a"));
        var log = await ask.WithDeadline();
        Assert.Equal(["activate"], log.Entries);
    }

    [Fact]
    public async Task OnActivateAsync_Throws_FailsQueuedRequestsWithActorUnavailableException()
    {
        await using var test = TestRuntime.Start();
        var recorder = test.Recorder("a");
        test.Probe.FailActivations("a", 1);
        test.Probe.Hold(ActorProbe.ActivationGate("a"));
        var first = recorder.AskAsync(new GetLog());
        var second = recorder.AskAsync(new GetLog());

        test.Probe.Release(ActorProbe.ActivationGate("a"));

        foreach (var ask in new[] { first, second })
        {
            var error = await Assert.ThrowsAsync<ActorUnavailableException>(() => ask.WithDeadline());
            Assert.Equal(recorder.Id, error.Target);
            Assert.IsType<InvalidOperationException>(error.InnerException);
        }

        Assert.Equal(1, test.Statistics.ActivationFailures);
    }

    [Fact]
    public async Task OnActivateAsync_ThrewBefore_NextMessageActivatesAFreshInstance()
    {
        await using var test = TestRuntime.Start();
        var recorder = test.Recorder("a");
        test.Probe.FailActivations("a", 1);
        await Assert.ThrowsAsync<ActorUnavailableException>(() => recorder.AskAsync(new GetLog()).WithDeadline());

        var log = await recorder.AskAsync(new GetLog()).WithDeadline();

        Assert.Equal(2, log.Instance);
        Assert.Equal(["activate"], log.Entries);
        Assert.Equal(1, test.Statistics.Activated);
        Assert.Equal(1, test.Statistics.ActivationFailures);
        Assert.Empty(test.Probe.Deactivations);
    }

    [Fact]
    public async Task HandleAsync_OneWayHandlerThrows_CountedAndTheActorKeepsItsStateAndGoesOn()
    {
        await using var test = TestRuntime.Start();
        var actor = test.Throwing("t");
        Assert.Equal(1, await actor.AskAsync(new Add(1)).WithDeadline());

        await actor.TellAsync(new Fail("boom")).WithDeadline();

        Assert.Equal(2, await actor.AskAsync(new Add(1)).WithDeadline());
        Assert.Equal(1, test.Statistics.MessagesFailed);
        Assert.Equal(1, test.Statistics.Activated);
        Assert.Equal(0, test.Statistics.Deactivated);
    }

    [Fact]
    public async Task HandleAsync_HandlerThrows_OtherActorsAndTheRuntimeKeepGoing()
    {
        await using var test = TestRuntime.Start();
        var failing = test.Throwing("t");

        for (var i = 0; i < 5; i++)
        {
            await failing.TellAsync(new Fail($"boom {i}")).WithDeadline();
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => failing.AskAsync(new FailRequest("boom")).WithDeadline());
        Assert.Equal(1, await test.Counter("c").AskAsync(new Add(1)).WithDeadline());
        Assert.Equal(1, await failing.AskAsync(new Add(1)).WithDeadline());
        Assert.Equal(6, test.Statistics.MessagesFailed);
    }

    [Fact]
    public async Task DeactivateOnIdle_MessagesAlreadyQueued_HandledByTheEndingActivation()
    {
        await using var test = TestRuntime.Start();
        var recorder = test.Recorder("a");
        test.Probe.Hold("busy");
        await recorder.TellAsync(new Block("busy")).WithDeadline();
        await test.Probe.WhenEntered("busy");
        await recorder.TellAsync(new Deactivate()).WithDeadline();
        await recorder.TellAsync(new Append("queued behind the request")).WithDeadline();

        test.Probe.Release("busy");

        var deactivation = await test.Probe.WhenDeactivating(1);
        Assert.Equal(DeactivationReason.Requested, deactivation.Reason);
        Assert.Equal(["activate", "enter busy", "exit busy", "queued behind the request"], deactivation.Entries);
        var next = await recorder.AskAsync(new GetLog()).WithDeadline();
        Assert.Equal(2, next.Instance);
        Assert.Equal(["activate"], next.Entries);
    }

    [Fact]
    public async Task TellAsync_ActorIsDeactivating_WaitsAndGoesToTheNextActivation()
    {
        await using var test = TestRuntime.Start();
        var recorder = test.Recorder("a");
        test.Probe.Hold(ActorProbe.DeactivationGate("a"));
        await recorder.TellAsync(new Deactivate()).WithDeadline();
        var deactivation = await test.Probe.WhenDeactivating(1);

        var tell = recorder.TellAsync(new Append("during deactivation")).AsTask();

        Assert.False(tell.IsCompleted);
        test.Probe.Release(ActorProbe.DeactivationGate("a"));
        await tell.WithDeadline();
        var next = await recorder.AskAsync(new GetLog()).WithDeadline();
        Assert.Equal(2, next.Instance);
        Assert.Equal(["activate", "during deactivation"], next.Entries);
        Assert.DoesNotContain("during deactivation", deactivation.Entries);
    }
}
