using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Storage;
using PriceActors.Grains.Streams;
using PriceActors.Runtime;
using PriceActors.Tests.Grains.Storage;
using PriceActors.Tests.Silo.Feeds;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary><see cref="TakeTicks"/>: a pair takes its next batch while the previous append commits.</summary>
public sealed partial class PairActorTests
{
    [Fact]
    public async Task TakeTicks_BatchesTakenWhileAnAppendCommits_UpdatesOutQueriesAnsweredAndHeldTicksGoInOneAppend()
    {
        await using var test = await ManualCommitPair.StartAsync();
        var (clock, store, updates, pair) = (test.Clock, test.Store, test.Updates, test.Pair);
        Tick[] a = [Trade(1, At(10, 0, 1), 100m), Trade(2, At(10, 0, 2), 101m)];
        Tick[] b = [Trade(3, At(10, 0, 3), 102m)];
        Tick[] c = [Trade(4, At(10, 0, 3.5), 103m), Trade(5, At(10, 0, 4), 104m)];
        clock.Advance(TimeSpan.FromSeconds(5));

        var first = await pair.AskAsync(new TakeTicks(a, Task.CompletedTask)).WaitAsync(Deadline);
        var second = await pair.AskAsync(new TakeTicks(b, first.Durable)).WaitAsync(Deadline);
        var third = await pair.AskAsync(new TakeTicks(c, second.Durable)).WaitAsync(Deadline);

        // All three taken and published while nothing is committed; only the first is queued, the others wait for it.
        Assert.Equal([new TicksRecorded(2, 0, 0, 2), new TicksRecorded(1, 0, 0, 3), new TicksRecorded(2, 0, 0, 5)], [first.Recorded, second.Recorded, third.Recorded]);
        Assert.False(first.Durable.IsCompleted || second.Durable.IsCompleted || third.Durable.IsCompleted, "durable before the commit");
        Assert.Equal(1, store.QueuedCount);
        await Poll.UntilAsync(() => updates.Prices.Count == 3, Deadline, "the three batches' updates");
        Assert.Equal([2L, 3L, 5L], updates.Prices.Select(u => u.Sequence));

        // Its turns are over: queries are answered while the append waits for the database.
        Assert.Equal(5L, (await pair.AskAsync(new GetLatestPrice()).WaitAsync(Deadline))?.Sequence);
        Assert.Equal(5L, (await pair.AskAsync(new GetWindowStats(At(10, 0, 0), At(10, 0, 5))).WaitAsync(Deadline)).Count);

        // The first commit makes a durable; b and c go together in the next append, queued by the pair on its own.
        await store.CommitAsync();
        await first.Durable.WaitAsync(Deadline);
        await Poll.UntilAsync(() => store.QueuedCount == 1, Deadline, "the held ticks' append");
        Assert.False(second.Durable.IsCompleted || third.Durable.IsCompleted, "held ticks durable before their commit");
        Assert.Equal([3], store.QueuedTickCounts());

        await store.CommitAsync();
        await Task.WhenAll(second.Durable, third.Durable).WaitAsync(Deadline);
        var stored = await store.LoadAsync(Btc, At(10, 0, 0), CancellationToken.None);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], stored!.Ticks.Select(t => t.Sequence));
        Assert.Equal([1L, 2L, 3L, 4L, 5L], stored.Ticks.Select(t => t.Tick.TradeId));
        Assert.Equal(0, store.QueuedCount);
    }

    [Fact]
    public async Task TakeTicks_TimerClosesTheBarWhileTicksAreHeld_TheyAreQueuedFirstAndTheBarPublishedOnlyOnceStored()
    {
        await using var test = await ManualCommitPair.StartAsync();
        var (clock, store, updates, pair) = (test.Clock, test.Store, test.Updates, test.Pair);
        clock.Advance(TimeSpan.FromSeconds(40));
        var first = await pair.AskAsync(new TakeTicks(new[] { Trade(1, At(10, 0, 10), 100m) }, Task.CompletedTask)).WaitAsync(Deadline);
        var second = await pair.AskAsync(new TakeTicks(new[] { Trade(2, At(10, 0, 30), 105m), Trade(3, At(10, 0, 35), 99m) }, first.Durable)).WaitAsync(Deadline);
        Assert.Equal(1, store.QueuedCount);

        // The minute ends with no later trade: the close timer's turn sends the held ticks before the bar.
        clock.Advance(TimeSpan.FromSeconds(21.5));
        await Poll.UntilAsync(() => store.QueuedCount == 2, Deadline, "the held ticks queued by the bar's close");
        Assert.Equal([1, 2], store.QueuedTickCounts());
        Assert.Empty(updates.ClosedBars);

        await store.CommitAsync();
        await Task.WhenAll(first.Durable, second.Durable).WaitAsync(Deadline);
        await Poll.UntilAsync(() => updates.ClosedBars.Count == 1, Deadline, "the closed bar");
        var closed = updates.ClosedBars[0].Bar;
        Assert.Equal((At(10, 0, 0), 3L, 100m, 105m, 99m, 99m, 3L), (closed.Minute, closed.Count, closed.Open, closed.High, closed.Low, closed.Close, closed.LastSequence));
        var stored = await store.LoadAsync(Btc, At(10, 0, 0), CancellationToken.None);
        Assert.Equal([1L, 2L, 3L], stored!.Ticks.Select(t => t.Sequence));
        Assert.Equal([closed], stored.Bars);
    }

    [Fact]
    public async Task TakeTicks_DeactivatedWhileTicksAreHeld_TheyAreStoredAndTheNextActivationContinuesAfterThem()
    {
        await using var test = await ManualCommitPair.StartAsync();
        var (clock, store, pair) = (test.Clock, test.Store, test.Pair);
        clock.Advance(TimeSpan.FromSeconds(5));
        var first = await pair.AskAsync(new TakeTicks(new[] { Trade(1, At(10, 0, 1), 100m) }, Task.CompletedTask)).WaitAsync(Deadline);
        var second = await pair.AskAsync(new TakeTicks(new[] { Trade(2, At(10, 0, 2), 101m) }, first.Durable)).WaitAsync(Deadline);
        Assert.Equal(1, store.QueuedCount);

        // A graceful end (a partition handed over) stores what the pair holds rather than leaving it to redelivery.
        var ended = test.Host.Runtime.DeactivateWhereAsync(_ => true);
        await Poll.UntilAsync(() => store.QueuedCount == 2, Deadline, "the held ticks queued on deactivation");
        await store.CommitAsync();
        await Task.WhenAll(first.Durable, second.Durable, ended).WaitAsync(Deadline);

        var next = await pair.AskAsync(new TakeTicks(new[] { Trade(2, At(10, 0, 2), 101m), Trade(3, At(10, 0, 3), 102m) }, Task.CompletedTask)).WaitAsync(Deadline);
        Assert.Equal(new TicksRecorded(1, 1, 0, 3), next.Recorded);
        Assert.Equal(2, test.Host.Runtime.GetStatistics().Activated);
        await store.CommitAsync();
        await next.Durable.WaitAsync(Deadline);
        var stored = await store.LoadAsync(Btc, At(10, 0, 0), CancellationToken.None);
        Assert.Equal([1L, 2L, 3L], stored!.Ticks.Select(t => t.Tick.TradeId));
    }

    [Fact]
    public async Task TakeTicks_AppendFailsAfterItsTurn_LaterBatchesRefusedUntilTheFailedOneComesAgainThenSameSequences()
    {
        await using var test = await ManualCommitPair.StartAsync();
        var (clock, store, updates, pair) = (test.Clock, test.Store, test.Updates, test.Pair);
        Tick[] a = [Trade(1, At(10, 0, 1), 100m)];
        Tick[] b = [Trade(2, At(10, 0, 2), 101m), Trade(3, At(10, 0, 3), 102m)];
        Tick[] c = [Trade(4, At(10, 0, 4), 103m)];
        Tick[] d = [Trade(5, At(10, 0, 4.5), 104m)];
        clock.Advance(TimeSpan.FromSeconds(5));
        var takenA = await pair.AskAsync(new TakeTicks(a, Task.CompletedTask)).WaitAsync(Deadline);
        await store.CommitAsync();
        await takenA.Durable.WaitAsync(Deadline);

        // b and c taken (c held for the append after b's); b's append fails after its turn, so c is refused with it.
        var takenB = await pair.AskAsync(new TakeTicks(b, takenA.Durable)).WaitAsync(Deadline);
        var takenC = await pair.AskAsync(new TakeTicks(c, takenB.Durable)).WaitAsync(Deadline);
        store.Fail(1);
        await store.CommitAsync();
        await Assert.ThrowsAsync<IOException>(() => takenB.Durable.WaitAsync(Deadline));
        await Assert.ThrowsAsync<InvalidOperationException>(() => takenC.Durable.WaitAsync(Deadline));

        // d, handed over behind c, is refused (by whichever activation gets it): taking it before b and c would
        // make them look like duplicates when they come again.
        await Assert.ThrowsAsync<InvalidOperationException>(() => pair.AskAsync(new TakeTicks(d, takenC.Durable)).WaitAsync(Deadline));

        // Handed over again in order, each after the one before it is durable, as the consumer does (retrying a
        // refusal: the failed activation refuses until it has ended). The next activation reloads a and gives b, c
        // and d the numbers b and c had.
        var again = new List<TicksTaken>();
        var after = Task.CompletedTask;
        foreach (var batch in new[] { b, c, d })
        {
            var taken = await TakeWhenAcceptedAsync(pair, new TakeTicks(batch, after));
            await store.CommitAsync();
            await taken.Durable.WaitAsync(Deadline);
            again.Add(taken);
            after = taken.Durable;
        }

        Assert.Equal([new TicksRecorded(2, 0, 0, 3), new TicksRecorded(1, 0, 0, 4), new TicksRecorded(1, 0, 0, 5)], again.Select(t => t.Recorded));
        var stored = await store.LoadAsync(Btc, At(10, 0, 0), CancellationToken.None);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], stored!.Ticks.Select(t => t.Sequence));
        Assert.Equal([1L, 2L, 3L, 4L, 5L], stored.Ticks.Select(t => t.Tick.TradeId));
        Assert.Equal([1L, 3L, 4L, 3L, 4L, 5L], updates.Prices.Select(u => u.Sequence));
        Assert.Single(updates.Prices.Select(u => u.Epoch).Distinct()); // the next activation kept the epoch
        Assert.Equal(2, test.Host.Runtime.GetStatistics().Activated);
    }

    private static async Task<TicksTaken> TakeWhenAcceptedAsync(ActorRef<IPairActor> pair, TakeTicks batch)
    {
        using var deadline = new CancellationTokenSource(Deadline);
        while (true)
        {
            try
            {
                return await pair.AskAsync(batch).WaitAsync(deadline.Token);
            }
            catch (InvalidOperationException)
            {
                await Task.Delay(10, deadline.Token);
            }
        }
    }

    /// <summary>
    /// The pair of <see cref="Btc"/> on a store that commits only when the test says, from 10:00 on a manual clock,
    /// its updates recorded. Disposing commits whatever is queued, then and later, before the host stops: a test that
    /// failed half-way then ends instead of the pair's deactivation waiting for a commit forever.
    /// </summary>
    private sealed class ManualCommitPair : IAsyncDisposable
    {
        private readonly IUpdateSubscription subscription;

        private ManualCommitPair(ManualTimeProvider clock, ManualCommitStore store, GrainHost host, IUpdateSubscription subscription, UpdateRecorder updates) =>
            (Clock, Store, Host, this.subscription, Updates) = (clock, store, host, subscription, updates);

        public ManualTimeProvider Clock { get; }

        public ManualCommitStore Store { get; }

        public GrainHost Host { get; }

        public UpdateRecorder Updates { get; }

        public ActorRef<IPairActor> Pair => Host.Pair(Btc);

        public static async Task<ManualCommitPair> StartAsync()
        {
            var clock = new ManualTimeProvider(At(10, 0, 0));
            var store = new ManualCommitStore(new InMemoryStore(Options.Create(new InMemoryStoreOptions())));
            var host = GrainHost.StartPairs(clock, store);
            var updates = new UpdateRecorder();
            var subscription = host.Bus.Subscribe(updates);
            await subscription.AddAsync(Btc);
            return new ManualCommitPair(clock, store, host, subscription, updates);
        }

        public async ValueTask DisposeAsync()
        {
            await Store.CommitEverythingFromNowOnAsync();
            await subscription.DisposeAsync();
            await Host.DisposeAsync();
        }
    }
}
