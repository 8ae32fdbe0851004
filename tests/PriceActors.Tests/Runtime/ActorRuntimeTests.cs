using PriceActors.Runtime;
using PriceActors.Tests.Runtime.Support;
using PriceActors.Tests.Runtime.TestActors;

namespace PriceActors.Tests.Runtime;

/// <summary>Addressing, ordering, turn-based concurrency and request/reply; other concerns in the partial files.</summary>
public sealed partial class ActorRuntimeTests
{
    [ActorType("unregistered")]
    private interface IUnregisteredActor : IActor;

    [Fact]
    public async Task GetActor_Key_AddressesContractTypeAndKeyWithoutActivating()
    {
        await using var test = TestRuntime.Start();

        var recorder = test.Recorder("a");

        Assert.Equal(new ActorId("recorder", "a"), recorder.Id);
        Assert.Equal("recorder/a", recorder.ToString());
        Assert.Equal(0, test.Statistics.Activations);
        Assert.Equal(0, test.Probe.Instances);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public async Task GetActor_EmptyKey_ThrowsArgumentException(string? key)
    {
        await using var test = TestRuntime.Start();

        Assert.ThrowsAny<ArgumentException>(() => test.Runtime.GetActor<IRecorderActor>(key!));
    }

    [Fact]
    public async Task TellAsync_UnregisteredActorType_ThrowsArgumentException()
    {
        await using var test = TestRuntime.Start();
        var actor = test.Runtime.GetActor<IUnregisteredActor>("x");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => actor.TellAsync(new Append("x")).WithDeadline());

        Assert.Contains("unregistered", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, test.Statistics.Activations);
    }

    [Fact]
    public async Task AskAsync_UnregisteredActorType_ThrowsArgumentException()
    {
        await using var test = TestRuntime.Start();
        var actor = test.Runtime.GetActor<IUnregisteredActor>("x");

        await Assert.ThrowsAsync<ArgumentException>(() => actor.AskAsync(new GetLog()).WithDeadline());
    }

    [Fact]
    public async Task AskAsync_MessageTheActorDoesNotHandle_FaultsWithNotSupportedException()
    {
        await using var test = TestRuntime.Start();
        var counter = test.Counter("c");

        var error = await Assert.ThrowsAsync<NotSupportedException>(() => counter.AskAsync(new GetLog()).WithDeadline());

        Assert.Contains(nameof(GetLog), error.Message, StringComparison.Ordinal);
        Assert.Equal(2, await counter.AskAsync(new Add(2)).WithDeadline());
    }

    [Fact]
    public async Task TellAsync_MessageTheActorDoesNotHandle_CountsFailureAndActorKeepsGoing()
    {
        await using var test = TestRuntime.Start();
        var counter = test.Counter("c");
        await counter.AskAsync(new Add(1)).WithDeadline();

        await counter.TellAsync(new Append("not for a counter")).WithDeadline();

        Assert.Equal(2, await counter.AskAsync(new Add(1)).WithDeadline());
        Assert.Equal(1, test.Statistics.MessagesFailed);
    }

    [Fact]
    public async Task AskAsync_Request_ReturnsTheHandlersResult()
    {
        await using var test = TestRuntime.Start();
        var counter = test.Counter("c");

        var first = await counter.AskAsync(new Add(5)).WithDeadline();
        var second = await counter.AskAsync(new Add(3)).WithDeadline();

        Assert.Equal(5, first);
        Assert.Equal(8, second);
    }

    [Fact]
    public async Task AskAsync_HandlerThrows_FaultsTheCallerWithThatException()
    {
        await using var test = TestRuntime.Start();
        var actor = test.Throwing("t");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => actor.AskAsync(new FailRequest("boom")).WithDeadline());

        Assert.Equal("boom", error.Message);
        Assert.Equal(1, test.Statistics.MessagesFailed);
    }

    [Fact]
    public async Task AskAsync_NoReplyWithinRequestTimeout_ThrowsActorRequestTimeoutException()
    {
        await using var test = TestRuntime.Start(o => o.RequestTimeout = TimeSpan.FromSeconds(2));
        var recorder = test.Recorder("a");
        test.Probe.Hold("busy");
        await recorder.TellAsync(new Block("busy")).WithDeadline();
        await test.Probe.WhenEntered("busy");

        var ask = recorder.AskAsync(new GetLog());
        test.Clock.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromMilliseconds(1));
        Assert.False(ask.IsCompleted);
        test.Clock.Advance(TimeSpan.FromMilliseconds(1));

        var error = await Assert.ThrowsAsync<ActorRequestTimeoutException>(() => ask.WithDeadline());
        Assert.Equal(recorder.Id, error.Target);
    }

    [Fact]
    public async Task TellAsync_ManyMessagesFromOneSender_HandledInSendOrder()
    {
        // A small mailbox makes some sends wait for space, which must not reorder them.
        await using var test = TestRuntime.Start(o => o.MailboxCapacity = 8);
        var recorder = test.Recorder("a");
        var sent = Enumerable.Range(0, 500).Select(i => $"m{i}").ToArray();

        foreach (var entry in sent)
        {
            await recorder.TellAsync(new Append(entry)).WithDeadline();
        }

        var log = await recorder.AskAsync(new GetLog()).WithDeadline();
        Assert.Equal(["activate", .. sent], log.Entries);
    }

    [Fact]
    public async Task TellAsync_ConcurrentSenders_HandlerNeverEnteredConcurrently()
    {
        await using var test = TestRuntime.Start();
        var counter = test.Counter("c");
        const int Senders = 16;
        const int PerSender = 200;

        var sending = Enumerable.Range(0, Senders).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < PerSender; i++)
            {
                await counter.TellAsync(new Increment());
            }
        }));
        await Task.WhenAll(sending).WithDeadline();

        var state = await counter.AskAsync(new GetCount()).WithDeadline();
        Assert.Equal(0, state.Overlaps);
        Assert.Equal(Senders * PerSender, state.Count);
    }

    [Fact]
    public async Task TellAsync_DifferentActors_RunConcurrently()
    {
        await using var test = TestRuntime.Start();
        test.Probe.Hold("a");
        test.Probe.Hold("b");

        await test.Recorder("a").TellAsync(new Block("a")).WithDeadline();
        await test.Recorder("b").TellAsync(new Block("b")).WithDeadline();

        // Both are inside their handler while neither gate is open.
        await Task.WhenAll(test.Probe.WhenEntered("a"), test.Probe.WhenEntered("b"));
        test.Probe.Release("a");
        test.Probe.Release("b");
        var a = await test.Recorder("a").AskAsync(new GetLog()).WithDeadline();
        var b = await test.Recorder("b").AskAsync(new GetLog()).WithDeadline();
        Assert.Equal(["activate", "enter a", "exit a"], a.Entries);
        Assert.Equal(["activate", "enter b", "exit b"], b.Entries);
    }

    [Fact]
    public async Task GetStatistics_MessagesAndTimerTicks_CountedAsProcessed()
    {
        await using var test = TestRuntime.Start();
        var recorder = test.Recorder("a");
        await recorder.TellAsync(new Append("1")).WithDeadline();
        await recorder.TellAsync(new StartTimer(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan)).WithDeadline();
        await recorder.AskAsync(new GetLog()).WithDeadline();

        test.Clock.Advance(TimeSpan.FromSeconds(1));
        await recorder.AskAsync(new GetLog()).WithDeadline();

        var statistics = test.Statistics;
        Assert.Equal(5, statistics.MessagesProcessed);
        Assert.Equal(0, statistics.MessagesFailed);
        Assert.Equal(1, statistics.Activated);
    }

    [Fact]
    public async Task GetActiveKeys_ActorsOfSeveralTypes_ListsTheKeysOfOneType()
    {
        await using var test = TestRuntime.Start();

        await test.Recorder("a").AskAsync(new GetLog()).WithDeadline();
        await test.Recorder("b").AskAsync(new GetLog()).WithDeadline();
        await test.Counter("a").AskAsync(new Add(1)).WithDeadline();

        Assert.Equal(["a", "b"], test.Runtime.GetActiveKeys("recorder").Order());
        Assert.Equal(["a"], test.Runtime.GetActiveKeys("counter"));
        Assert.Equal(3, test.Statistics.Activations);
        Assert.Equal(3, test.Statistics.Activated);
    }
}
