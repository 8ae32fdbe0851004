using PriceActors.Runtime;
using PriceActors.Tests.Runtime.Support;
using PriceActors.Tests.Runtime.TestActors;

namespace PriceActors.Tests.Runtime;

/// <summary><c>Actor.PostTurn</c>: work an actor queues for itself from outside a turn runs as a turn of the same activation.</summary>
public sealed partial class ActivationTests
{
    [Fact]
    public async Task PostTurn_PostedWhileAHandlerRuns_RunsAfterThatTurnAndNeverAlongsideIt()
    {
        await using var test = TestRuntime.Start();
        var recorder = test.Recorder("a");
        var trigger = new TaskCompletionSource();
        await recorder.TellAsync(new PostTurnWhen(trigger.Task, "posted")).WithDeadline();
        test.Probe.Hold("busy");
        await recorder.TellAsync(new Block("busy")).WithDeadline();
        await test.Probe.WhenEntered("busy");

        trigger.SetResult();
        await recorder.TellAsync(new Append("sent after it was posted")).WithDeadline();
        test.Probe.Release("busy");

        var log = await recorder.AskAsync(new GetLog()).WithDeadline();
        Assert.Equal(["activate", "enter busy", "exit busy", "posted", "sent after it was posted"], log.Entries);
        Assert.Equal(0, log.Overlaps);
        Assert.Equal(1, log.Instance);
    }

    [Fact]
    public async Task PostTurn_PostedAfterTheActivationEnded_DoesNotRunInThatOneOrTheNext()
    {
        await using var test = TestRuntime.Start();
        var recorder = test.Recorder("a");
        var trigger = new TaskCompletionSource();
        await recorder.TellAsync(new PostTurnWhen(trigger.Task, "posted too late")).WithDeadline();
        await recorder.TellAsync(new Deactivate()).WithDeadline();
        var deactivation = await test.Probe.WhenDeactivating(1);

        trigger.SetResult();
        var next = await recorder.AskAsync(new GetLog()).WithDeadline();

        Assert.Equal(2, next.Instance);
        Assert.Equal(["activate"], next.Entries);
        Assert.DoesNotContain("posted too late", deactivation.Entries);
    }
}
