using PriceActors.Runtime;
using PriceActors.Tests.Runtime.Support;
using PriceActors.Tests.Runtime.TestActors;

namespace PriceActors.Tests.Runtime;

/// <summary>Bounded mailboxes: senders wait for space, nothing is dropped.</summary>
public sealed partial class ActorRuntimeTests
{
    [Fact]
    public async Task TellAsync_MailboxFull_WaitsUntilTheActorProceedsAndLosesNothing()
    {
        await using var test = TestRuntime.Start(o => o.MailboxCapacity = 2);
        var recorder = await BlockedRecorderAsync(test, "a", "busy");

        Assert.True(recorder.TellAsync(new Append("1")).IsCompletedSuccessfully);
        Assert.True(recorder.TellAsync(new Append("2")).IsCompletedSuccessfully);
        var third = recorder.TellAsync(new Append("3")).AsTask();

        Assert.False(third.IsCompleted);
        Assert.Equal(1, test.Statistics.MailboxFullWaits);
        test.Probe.Release("busy");
        await third.WithDeadline();
        var log = await recorder.AskAsync(new GetLog()).WithDeadline();
        Assert.Equal(["activate", "enter busy", "exit busy", "1", "2", "3"], log.Entries);
    }

    [Fact]
    public async Task TellAsync_ManySendersWaitingForSpace_AllMessagesDelivered()
    {
        await using var test = TestRuntime.Start(o => o.MailboxCapacity = 1);
        var recorder = await BlockedRecorderAsync(test, "a", "busy");
        await recorder.TellAsync(new Append("fills the mailbox")).WithDeadline();

        var waiting = Enumerable.Range(0, 10).Select(i => recorder.TellAsync(new Append($"s{i}")).AsTask()).ToArray();

        Assert.All(waiting, send => Assert.False(send.IsCompleted));
        Assert.Equal(10, test.Statistics.MailboxFullWaits);
        test.Probe.Release("busy");
        await Task.WhenAll(waiting).WithDeadline();
        var log = await recorder.AskAsync(new GetLog()).WithDeadline();
        Assert.Equal(
            Enumerable.Range(0, 10).Select(i => $"s{i}").Order(),
            log.Entries.Where(e => e.StartsWith('s')).Order());
        Assert.Contains("fills the mailbox", log.Entries);
    }

    [Fact]
    public async Task TellAsync_CancelledWhileWaitingForSpace_ThrowsAndMessageIsNotDelivered()
    {
        await using var test = TestRuntime.Start(o => o.MailboxCapacity = 1);
        var recorder = await BlockedRecorderAsync(test, "a", "busy");
        await recorder.TellAsync(new Append("queued")).WithDeadline();
        using var cancel = new CancellationTokenSource();

        var send = recorder.TellAsync(new Append("cancelled"), cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => send.WithDeadline());
        test.Probe.Release("busy");
        var log = await recorder.AskAsync(new GetLog()).WithDeadline();
        Assert.Equal(["activate", "enter busy", "exit busy", "queued"], log.Entries);
    }

    [Fact]
    public async Task AskAsync_MailboxFullAndActorStuck_ThrowsActorRequestTimeoutExceptionAfterRequestTimeout()
    {
        // RequestTimeout is documented as how long AskAsync waits; a caller must not wait forever
        // because the actor it asks is stuck with a full mailbox.
        await using var test = TestRuntime.Start(o =>
        {
            o.MailboxCapacity = 1;
            o.RequestTimeout = TimeSpan.FromSeconds(2);
        });
        var recorder = await BlockedRecorderAsync(test, "a", "stuck");
        await recorder.TellAsync(new Append("fills the mailbox")).WithDeadline();

        var ask = recorder.AskAsync(new GetLog());
        test.Clock.Advance(TimeSpan.FromSeconds(3));

        // The manual clock fires the timeout inside Advance, so a short real-time wait is plenty.
        await Assert.ThrowsAsync<ActorRequestTimeoutException>(() => ask.WaitAsync(TimeSpan.FromSeconds(2)));
    }

    /// <summary>A recorder inside a handler that waits at <paramref name="gate"/>, its mailbox empty.</summary>
    private static async Task<ActorRef<IRecorderActor>> BlockedRecorderAsync(TestRuntime test, string key, string gate)
    {
        var recorder = test.Recorder(key);
        test.Probe.Hold(gate);
        await recorder.TellAsync(new Block(gate)).WithDeadline();
        await test.Probe.WhenEntered(gate);
        return recorder;
    }
}
