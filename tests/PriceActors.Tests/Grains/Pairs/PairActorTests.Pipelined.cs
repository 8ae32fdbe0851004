using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Storage;
using PriceActors.Runtime;
using PriceActors.Tests.Grains.Storage;
using PriceActors.Tests.Silo.Feeds;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary><see cref="TakeTicks"/>: a pair takes its next batch while the previous append commits.</summary>
public sealed partial class PairActorTests
{
    [Fact]
    public async Task TakeTicks_NextBatchTakenWhileThePreviousAppendCommits_UpdatesOutQueriesAnsweredAndDurableInOrder()
    {
        var clock = new ManualTimeProvider(At(10, 0, 0));
        var store = new ManualCommitStore(new InMemoryStore(Options.Create(new InMemoryStoreOptions())));
        await using var host = GrainHost.StartPairs(clock, store);
        var updates = new UpdateRecorder();
        await using var subscription = host.Bus.Subscribe(updates);
        await subscription.AddAsync(Btc);
        var pair = host.Pair(Btc);
        Tick[] a = [Trade(1, At(10, 0, 1), 100m), Trade(2, At(10, 0, 2), 101m)];
        Tick[] b = [Trade(3, At(10, 0, 3), 102m)];
        clock.Advance(TimeSpan.FromSeconds(5));

        var first = await pair.AskAsync(new TakeTicks(a, Task.CompletedTask)).WaitAsync(Deadline);
        var second = await pair.AskAsync(new TakeTicks(b, first.Durable)).WaitAsync(Deadline);

        // Both taken and published while nothing is committed.
        Assert.Equal((new TicksRecorded(2, 0, 0, 2), new TicksRecorded(1, 0, 0, 3)), (first.Recorded, second.Recorded));
        Assert.False(first.Durable.IsCompleted || second.Durable.IsCompleted, "durable before the commit");
        Assert.Equal(2, store.QueuedCount);
        await Poll.UntilAsync(() => updates.Prices.Count == 2, Deadline, "both batches' updates");
        Assert.Equal([2L, 3L], updates.Prices.Select(u => u.Sequence));

        // Its turns are over: queries are answered while the appends wait for the database.
        Assert.Equal(3L, (await pair.AskAsync(new GetLatestPrice()).WaitAsync(Deadline))?.Sequence);
        Assert.Equal(3L, (await pair.AskAsync(new GetWindowStats(At(10, 0, 0), At(10, 0, 5))).WaitAsync(Deadline)).Count);

        await store.CommitAsync();
        await Task.WhenAll(first.Durable, second.Durable).WaitAsync(Deadline);
        var stored = await store.LoadAsync(Btc, At(10, 0, 0), CancellationToken.None);
        Assert.Equal([1L, 2L, 3L], stored!.Ticks.Select(t => t.Sequence));
        Assert.Equal([1L, 2L, 3L], stored.Ticks.Select(t => t.Tick.TradeId));
    }

    [Fact]
    public async Task TakeTicks_AppendFailsAfterItsTurn_LaterBatchesRefusedUntilTheFailedOneComesAgainThenSameSequences()
    {
        var clock = new ManualTimeProvider(At(10, 0, 0));
        var store = new ManualCommitStore(new InMemoryStore(Options.Create(new InMemoryStoreOptions())));
        await using var host = GrainHost.StartPairs(clock, store);
        var updates = new UpdateRecorder();
        await using var subscription = host.Bus.Subscribe(updates);
        await subscription.AddAsync(Btc);
        var pair = host.Pair(Btc);
        Tick[] a = [Trade(1, At(10, 0, 1), 100m)];
        Tick[] b = [Trade(2, At(10, 0, 2), 101m), Trade(3, At(10, 0, 3), 102m)];
        Tick[] c = [Trade(4, At(10, 0, 4), 103m)];
        Tick[] d = [Trade(5, At(10, 0, 4.5), 104m)];
        clock.Advance(TimeSpan.FromSeconds(5));
        var takenA = await pair.AskAsync(new TakeTicks(a, Task.CompletedTask)).WaitAsync(Deadline);
        await store.CommitAsync();
        await takenA.Durable.WaitAsync(Deadline);

        // b and c taken; b's append fails after its turn, so c's (queued behind it) fails too.
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
        Assert.Equal(2, host.Runtime.GetStatistics().Activated);
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
}
