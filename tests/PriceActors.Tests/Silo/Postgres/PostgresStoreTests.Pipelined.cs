using PriceActors.Grains;
using PriceActors.Silo.Postgres;

namespace PriceActors.Tests.Silo.Postgres;

/// <summary><see cref="PostgresStore.QueueTicksAsync"/>: appends queued behind their predecessor, never past a gap.</summary>
public sealed partial class PostgresStoreTests
{
    [Fact]
    public async Task QueueTicksAsync_ChainedAppendsWhileTheWriterIsHeld_ReturnBeforeTheCommitThenAllStoredInOrder()
    {
        var instrument = InstrumentKey.Parse("test:CHAINED");
        await using var store = await OwnerAsync(instrument);
        var ticks = Ticks(instrument, Today.AddHours(10), 1, 6);
        await using var held = await HoldFenceRowAsync(instrument);

        // The writer waits on the fence row inside its flush; each append is queued behind the one before it.
        var first = await store.QueueTicksAsync(instrument, 1, ticks[..2], Task.CompletedTask, CancellationToken.None);
        var second = await store.QueueTicksAsync(instrument, 1, ticks[2..4], first, CancellationToken.None);
        var third = await store.QueueTicksAsync(instrument, 1, ticks[4..], second, CancellationToken.None);
        Assert.False(first.IsCompleted || second.IsCompleted || third.IsCompleted, "durable before the commit");

        await held.ReleaseAsync();
        await Task.WhenAll(first, second, third).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(ticks, (await store.LoadAsync(instrument, Today, CancellationToken.None))!.Ticks);
    }

    [Fact]
    public async Task QueueTicksAsync_BehindAFailedAppend_FailsAndWritesNothingWhileOthersCommit()
    {
        var (gap, other) = (InstrumentKey.Parse("test:GAP"), InstrumentKey.Parse("test:NOGAP"));
        await using var store = database.CreateStore();
        await ClaimAllAsync(store, [gap, other]);
        var ticks = Ticks(gap, Today.AddHours(11), 1, 6);
        var failed = Task.FromException(new IOException("the append before these was not stored"));

        var behindFailed = await store.QueueTicksAsync(gap, 1, ticks[2..4], failed, CancellationToken.None);
        var behindThat = await store.QueueTicksAsync(gap, 1, ticks[4..], behindFailed, CancellationToken.None);
        var unrelated = await store.QueueTicksAsync(other, 1, Ticks(other, Today.AddHours(11), 1, 3), Task.CompletedTask, CancellationToken.None);

        await unrelated.WaitAsync(TimeSpan.FromSeconds(20));
        var refusal = await Assert.ThrowsAsync<InvalidOperationException>(() => behindFailed.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Contains("earlier append", refusal.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidOperationException>(() => behindThat.WaitAsync(TimeSpan.FromSeconds(20)));
        Assert.Null(await store.LoadAsync(gap, Today, CancellationToken.None));
        Assert.Equal(3, (await store.LoadAsync(other, Today, CancellationToken.None))!.Ticks.Count);

        // The failed one queued again, then the rest: all stored, in order.
        var again = await store.QueueTicksAsync(gap, 1, ticks[..2], Task.CompletedTask, CancellationToken.None);
        var rest = await store.QueueTicksAsync(gap, 1, ticks[2..], again, CancellationToken.None);
        await Task.WhenAll(again, rest).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(ticks, (await store.LoadAsync(gap, Today, CancellationToken.None))!.Ticks);
    }
}
