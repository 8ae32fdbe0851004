using PriceActors.Runtime;
using PriceActors.Tests.Runtime.Support;
using PriceActors.Tests.Runtime.TestActors;
using DeactivationReason = PriceActors.Runtime.DeactivationReason;

namespace PriceActors.Tests.Runtime;

/// <summary>
/// Actor timers on the manual clock. A tick is a mailbox item, so a reply to a request sent after
/// <c>Advance</c> proves every tick that advance queued has run.
/// </summary>
public sealed class ActorTimerTests
{
    private static readonly TimeSpan DueTime = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task RegisterTimer_DueTimeAndPeriod_TicksAsTurnsAtThoseTimes()
    {
        await using var test = TestRuntime.Start();
        var recorder = await StartTimerAsync(test, "a", new StartTimer(DueTime, Period));

        test.Clock.Advance(DueTime - TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, await TicksAsync(recorder));
        test.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await TicksAsync(recorder));
        test.Clock.Advance(Period - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, await TicksAsync(recorder));
        test.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(2, await TicksAsync(recorder));
        test.Clock.Advance(Period);
        Assert.Equal(3, await TicksAsync(recorder));
        Assert.Equal(0, test.Statistics.TimerTicksSkipped);
    }

    [Fact]
    public async Task RegisterTimer_InfinitePeriod_TicksOnce()
    {
        await using var test = TestRuntime.Start();
        var recorder = await StartTimerAsync(test, "a", new StartTimer(DueTime, Timeout.InfiniteTimeSpan));

        test.Clock.Advance(DueTime);
        Assert.Equal(1, await TicksAsync(recorder));
        test.Clock.Advance(Period * 10);

        Assert.Equal(1, await TicksAsync(recorder));
    }

    [Fact]
    public async Task RegisterTimer_TickDueWhileAHandlerRuns_RunsAfterThatTurn()
    {
        await using var test = TestRuntime.Start();
        var recorder = await StartTimerAsync(test, "a", new StartTimer(DueTime, Period));
        test.Probe.Hold("busy");
        await recorder.TellAsync(new Block("busy")).WithDeadline();
        await test.Probe.WhenEntered("busy");

        test.Clock.Advance(DueTime);
        test.Probe.Release("busy");

        var log = await recorder.AskAsync(new GetLog()).WithDeadline();
        Assert.Equal(["activate", "enter busy", "exit busy", "tick 1"], log.Entries);
        Assert.Equal(0, log.Overlaps);
    }

    [Fact]
    public async Task RegisterTimer_TicksAndConcurrentMessages_NeverRunConcurrently()
    {
        await using var test = TestRuntime.Start();
        var recorder = await StartTimerAsync(test, "a", new StartTimer(Period, Period));

        var sending = Enumerable.Range(0, 4).Select(s => Task.Run(async () =>
        {
            for (var i = 0; i < 100; i++)
            {
                await recorder.TellAsync(new Append($"{s}/{i}"));
            }
        })).ToArray();
        for (var i = 0; i < 100; i++)
        {
            test.Clock.Advance(Period);
            await Task.Yield();
        }

        await Task.WhenAll(sending).WithDeadline();
        var log = await recorder.AskAsync(new GetLog()).WithDeadline();
        Assert.Equal(0, log.Overlaps);
        Assert.Equal(400, log.Entries.Count(e => e.Contains('/')));
        Assert.Contains("tick 1", log.Entries);
    }

    [Fact]
    public async Task RegisterTimer_PreviousTickStillQueued_SkipsTheTick()
    {
        await using var test = TestRuntime.Start();
        var recorder = await StartTimerAsync(test, "a", new StartTimer(DueTime, Period));
        test.Probe.Hold("busy");
        await recorder.TellAsync(new Block("busy")).WithDeadline();
        await test.Probe.WhenEntered("busy");

        test.Clock.Advance(DueTime + (Period * 2));

        Assert.Equal(2, test.Statistics.TimerTicksSkipped);
        test.Probe.Release("busy");
        Assert.Equal(1, await TicksAsync(recorder));
        test.Clock.Advance(Period);
        Assert.Equal(2, await TicksAsync(recorder));
        Assert.Equal(2, test.Statistics.TimerTicksSkipped);
    }

    [Fact]
    public async Task RegisterTimer_MailboxFull_SkipsTheTickAndCountsIt()
    {
        await using var test = TestRuntime.Start(o => o.MailboxCapacity = 1);
        var recorder = await StartTimerAsync(test, "a", new StartTimer(DueTime, Period));
        test.Probe.Hold("busy");
        await recorder.TellAsync(new Block("busy")).WithDeadline();
        await test.Probe.WhenEntered("busy");
        await recorder.TellAsync(new Append("fills the mailbox")).WithDeadline();

        test.Clock.Advance(DueTime);

        Assert.Equal(1, test.Statistics.TimerTicksSkipped);
        test.Probe.Release("busy");
        Assert.Equal(0, await TicksAsync(recorder));
        test.Clock.Advance(Period);
        Assert.Equal(1, await TicksAsync(recorder));
    }

    [Fact]
    public async Task RegisterTimer_CallbackThrows_CountedAndTheTimerKeepsTicking()
    {
        await using var test = TestRuntime.Start();
        var recorder = await StartTimerAsync(test, "a", new StartTimer(DueTime, Period, Throws: true));

        test.Clock.Advance(DueTime);
        Assert.Equal(1, await TicksAsync(recorder));
        test.Clock.Advance(Period);

        Assert.Equal(2, await TicksAsync(recorder));
        Assert.Equal(2, test.Statistics.MessagesFailed);
    }

    [Fact]
    public async Task Dispose_TimerDisposed_StopsTicking()
    {
        await using var test = TestRuntime.Start();
        var recorder = await StartTimerAsync(test, "a", new StartTimer(DueTime, Period));
        test.Clock.Advance(DueTime);
        Assert.Equal(1, await TicksAsync(recorder));

        await recorder.TellAsync(new StopTimer()).WithDeadline();
        await recorder.AskAsync(new GetLog()).WithDeadline();
        test.Clock.Advance(Period * 5);

        Assert.Equal(1, await TicksAsync(recorder));
        Assert.Equal(0, test.Statistics.TimerTicksSkipped);
    }

    [Fact]
    public async Task Dispose_TickAlreadyQueued_CallbackDoesNotRun()
    {
        await using var test = TestRuntime.Start();
        var recorder = await StartTimerAsync(test, "a", new StartTimer(DueTime, Period));
        test.Probe.Hold("busy");
        await recorder.TellAsync(new Block("busy")).WithDeadline();
        await test.Probe.WhenEntered("busy");
        await recorder.TellAsync(new StopTimer()).WithDeadline();

        test.Clock.Advance(DueTime);
        test.Probe.Release("busy");

        Assert.Equal(0, await TicksAsync(recorder));
    }

    [Fact]
    public async Task RegisterTimer_ActorDeactivated_TimerEndsWithTheActivation()
    {
        await using var test = TestRuntime.Start();
        var ticker = test.Ticker("t");
        var first = await ticker.AskAsync(new GetLog()).WithDeadline();
        test.Clock.Advance(TickerActor.Period);
        Assert.Equal(1, await TicksAsync(ticker));

        await ticker.TellAsync(new Deactivate()).WithDeadline();
        await test.Probe.WhenDeactivating(first.Instance);
        test.Clock.Advance(TickerActor.Period * 5);

        Assert.Equal(0, test.Statistics.TimerTicksSkipped);
        Assert.Equal(1, test.Statistics.Activated);
        Assert.Equal(1, test.Probe.Instances);
    }

    [Fact]
    public async Task RegisterTimer_TicksOnly_DoNotKeepTheActorActive()
    {
        await using var test = TestRuntime.Start(o =>
        {
            o.IdleTimeout = TimeSpan.FromSeconds(10);
            o.CollectionInterval = TimeSpan.FromSeconds(5);
        });
        var recorder = await StartTimerAsync(test, "a", new StartTimer(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)));
        var instance = (await recorder.AskAsync(new GetLog()).WithDeadline()).Instance;

        // Ticks at 3, 6 and 9 s, each taken from the mailbox before the collector looks at 5 and 10 s.
        foreach (var (step, tick) in new[] { (3, 1), (2, 0), (1, 2), (3, 3), (1, 0) })
        {
            test.Clock.Advance(TimeSpan.FromSeconds(step));
            if (tick > 0)
            {
                await test.Probe.WhenTicked("a", tick);
            }
        }

        var deactivation = await test.Probe.WhenDeactivating(instance);
        Assert.Equal(DeactivationReason.Idle, deactivation.Reason);
        Assert.Contains("tick 3", deactivation.Entries);
    }

    [Fact]
    public async Task RegisterTimer_InOnActivateAsyncThatThenThrows_TimerIsDisposed()
    {
        await using var test = TestRuntime.Start();
        var ticker = test.Ticker("t");
        test.Probe.FailActivations("t", 1);
        await Assert.ThrowsAsync<ActorUnavailableException>(() => ticker.AskAsync(new GetLog()).WithDeadline());

        test.Clock.Advance(TickerActor.Period * 3);

        // A leaked timer keeps firing into the failed activation's closed mailbox.
        Assert.Equal(0, test.Statistics.TimerTicksSkipped);
    }

    private static async Task<ActorRef<IRecorderActor>> StartTimerAsync(TestRuntime test, string key, StartTimer start)
    {
        var recorder = test.Recorder(key);
        await recorder.TellAsync(start).WithDeadline();
        await recorder.AskAsync(new GetLog()).WithDeadline();
        return recorder;
    }

    private static async Task<int> TicksAsync<TActor>(ActorRef<TActor> actor)
        where TActor : IRecorderActor
    {
        var log = await actor.AskAsync(new GetLog()).WithDeadline();
        return log.Entries.Count(e => e.StartsWith("tick ", StringComparison.Ordinal));
    }
}
