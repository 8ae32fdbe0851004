using PriceActors.Grains;

namespace PriceActors.Tests.Silo.Postgres;

public sealed partial class PostgresStoreTests
{
    [Fact]
    public async Task AppendTicksAsync_WriterStalledAndQueueFull_CallerWaitsNothingCompletesBeforeCommit()
    {
        var instrument = InstrumentKey.Parse("test:BOUNDED");
        await using var store = await OwnerAsync(instrument, o => o.MaxPendingAppends = 1);
        var ticks = Ticks(instrument, Today.AddHours(8), 1, 3);

        // Another session holds the fence row exclusively, so the writer's fence check waits inside its flush.
        await using var held = await HoldFenceRowAsync(instrument);

        var first = store.AppendTicksAsync(instrument, 1, ticks[..1], CancellationToken.None).AsTask();
        await WaitUntilAsync(async () => await database.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") == 1);
        var second = store.AppendTicksAsync(instrument, 1, ticks[1..2], CancellationToken.None).AsTask();
        using var giveUp = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        var third = store.AppendTicksAsync(instrument, 1, ticks[2..], giveUp.Token).AsTask();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => third); // the writer is stuck and the queue full: never queued
        Assert.False(first.IsCompleted, "completed before its transaction could commit");
        Assert.False(second.IsCompleted);
        await held.ReleaseAsync();
        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(ticks[..2], (await store.LoadAsync(instrument, Today, CancellationToken.None))!.Ticks);
    }

    [Fact]
    public async Task AppendTicksAsync_CallerCancelsWhileQueuedThenReusesItsBuffer_StoresWhatWasAppended()
    {
        var instrument = InstrumentKey.Parse("test:REUSED");
        await using var store = await OwnerAsync(instrument);
        var ticks = Ticks(instrument, Today.AddHours(9), 1, 4);
        await using var held = await HoldFenceRowAsync(instrument);

        var first = store.AppendTicksAsync(instrument, 1, ticks[..2], CancellationToken.None).AsTask();
        await WaitUntilAsync(async () => await database.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") == 1);
        var buffer = ticks[2..];
        using var giveUp = new CancellationTokenSource();
        var second = store.AppendTicksAsync(instrument, 1, buffer, giveUp.Token).AsTask();
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);

        // The caller owns its buffer again and reuses it while its append is still queued behind the stalled flush.
        Array.Fill(buffer, ticks[0]);
        await held.ReleaseAsync();
        await first.WaitAsync(TimeSpan.FromSeconds(20));

        await WaitUntilAsync(async () => await database.ScalarAsync<long>("SELECT count(*) FROM ticks WHERE symbol = 'REUSED'") == 4);
        Assert.Equal(ticks, (await store.LoadAsync(instrument, Today, CancellationToken.None))!.Ticks);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 20 s");
            await Task.Delay(10);
        }
    }
}
