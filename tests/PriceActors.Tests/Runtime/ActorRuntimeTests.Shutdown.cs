using PriceActors.Runtime;
using PriceActors.Tests.Runtime.Support;
using PriceActors.Tests.Runtime.TestActors;
using DeactivationReason = PriceActors.Runtime.DeactivationReason;

namespace PriceActors.Tests.Runtime;

/// <summary>StopAsync: queued work is finished, every actor deactivates, later sends are refused.</summary>
public sealed partial class ActorRuntimeTests
{
    [Fact]
    public async Task StopAsync_ActiveActors_DeactivatesEachWithReasonShutdown()
    {
        await using var test = TestRuntime.Start();
        await test.Recorder("a").AskAsync(new GetLog()).WithDeadline();
        await test.Recorder("b").AskAsync(new GetLog()).WithDeadline();
        await test.Ticker("c").AskAsync(new GetLog()).WithDeadline();

        await test.Runtime.StopAsync().WithDeadline();

        Assert.Equal(["a", "b", "c"], test.Probe.Deactivations.Select(d => d.Key).Order());
        Assert.All(test.Probe.Deactivations, d => Assert.Equal(DeactivationReason.Shutdown, d.Reason));
        Assert.Equal(3, test.Statistics.Deactivated);
        Assert.Equal(0, test.Statistics.Activations);
    }

    [Fact]
    public async Task StopAsync_MessagesQueued_HandledBeforeDeactivation()
    {
        await using var test = TestRuntime.Start();
        var recorder = await BlockedRecorderAsync(test, "a", "busy");
        await recorder.TellAsync(new Append("queued")).WithDeadline();
        var ask = recorder.AskAsync(new GetLog());

        var stop = test.Runtime.StopAsync();
        test.Probe.Release("busy");

        var log = await ask.WithDeadline();
        await stop.WithDeadline();
        Assert.Equal(["activate", "enter busy", "exit busy", "queued"], log.Entries);
        var deactivation = Assert.Single(test.Probe.Deactivations);
        Assert.Equal(DeactivationReason.Shutdown, deactivation.Reason);
    }

    [Fact]
    public async Task StopAsync_Stopped_LaterSendsThrowActorUnavailableException()
    {
        await using var test = TestRuntime.Start();
        var active = test.Recorder("a");
        await active.AskAsync(new GetLog()).WithDeadline();

        await test.Runtime.StopAsync().WithDeadline();

        var tell = await Assert.ThrowsAsync<ActorUnavailableException>(() => active.TellAsync(new Append("late")).WithDeadline());
        await Assert.ThrowsAsync<ActorUnavailableException>(() => active.AskAsync(new GetLog()).WithDeadline());
        await Assert.ThrowsAsync<ActorUnavailableException>(() => test.Recorder("never-activated").TellAsync(new Append("late")).WithDeadline());
        Assert.Equal(active.Id, tell.Target);
        Assert.Equal(1, test.Statistics.Activated);
    }

    [Fact]
    public async Task StopAsync_CalledTwice_DeactivatesOnce()
    {
        await using var test = TestRuntime.Start();
        await test.Recorder("a").AskAsync(new GetLog()).WithDeadline();

        await test.Runtime.StopAsync().WithDeadline();
        await test.Runtime.StopAsync().WithDeadline();

        Assert.Single(test.Probe.Deactivations);
        Assert.Equal(1, test.Statistics.Deactivated);
    }
}
