using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Silo.Postgres;

namespace PriceActors.Tests.Silo.Postgres;

public sealed partial class PostgresStoreTests
{
    [Fact]
    public async Task AppendTicksAsync_PartitionNeverClaimed_ThrowsFencedAndWritesNothing()
    {
        var instrument = InstrumentKey.Parse("test:UNCLAIMED");
        await using var store = database.CreateStore(new PartitionFence(database.DataSource));

        var error = await Assert.ThrowsAsync<PartitionFencedException>(
            () => store.AppendTicksAsync(instrument, 1, Ticks(instrument, Today, 1, 3), CancellationToken.None).AsTask());

        Assert.Null(error.Token);
        Assert.Null(await store.LoadAsync(instrument, Today, CancellationToken.None));
    }

    [Fact]
    public async Task AppendTicksAsync_AfterAnotherSiloClaimedThePartition_ThrowsFencedAndWritesNothing()
    {
        var instrument = InstrumentKey.Parse("test:FENCED");
        var partition = PartitionMap.PartitionOf(instrument, new StreamOptions().PartitionCount);
        var (frozen, _) = await OwnerAsync(instrument);
        await using var _f = frozen;
        var ticks = Ticks(instrument, Today.AddHours(6), 1, 10);
        await frozen.AppendTicksAsync(instrument, 1, ticks[..5], CancellationToken.None);
        var newOwner = new PartitionFence(database.DataSource);
        var current = await newOwner.ClaimAsync(partition, "silo-b", CancellationToken.None);

        var error = await Assert.ThrowsAsync<PartitionFencedException>(
            () => frozen.AppendTicksAsync(instrument, 1, ticks[5..], CancellationToken.None).AsTask());
        var barError = await Assert.ThrowsAsync<PartitionFencedException>(
            () => frozen.SaveBarAsync(new MinuteBar("test", "FENCED", Today.AddHours(6), 1, 1, 1, 1, 1, 1, 1, 1, 5, true), CancellationToken.None).AsTask());

        Assert.Equal((partition, current - 1, current), (error.Partition, error.Token, error.Current));
        Assert.Equal(current, barError.Current);
        var history = await frozen.LoadAsync(instrument, Today, CancellationToken.None);
        Assert.Equal(ticks[..5], history!.Ticks);
        Assert.Equal(5, history.LastSequence);
        Assert.Empty(history.Bars);
    }

    [Fact]
    public async Task AppendTicksAsync_OneInstrumentFencedInAGroupCommit_FailsOnlyThatOne()
    {
        var owned = InstrumentKey.Parse("test:OWNED");
        var lost = Enumerable.Range(0, 100).Select(i => InstrumentKey.Create("test", $"LOST{i}"))
            .First(k => PartitionMap.PartitionOf(k, 16) != PartitionMap.PartitionOf(owned, 16));
        var fence = new PartitionFence(database.DataSource);
        await fence.ClaimAsync(PartitionMap.PartitionOf(owned, 16), "silo-a", CancellationToken.None);
        await fence.ClaimAsync(PartitionMap.PartitionOf(lost, 16), "silo-a", CancellationToken.None);
        await new PartitionFence(database.DataSource).ClaimAsync(PartitionMap.PartitionOf(lost, 16), "silo-b", CancellationToken.None);
        await using var store = database.CreateStore(fence, o => o.FlushInterval = TimeSpan.FromMilliseconds(50));

        var ok = store.AppendTicksAsync(owned, 1, Ticks(owned, Today.AddHours(7), 1, 5), CancellationToken.None).AsTask();
        var refused = store.AppendTicksAsync(lost, 1, Ticks(lost, Today.AddHours(7), 1, 5), CancellationToken.None).AsTask();

        await ok;
        await Assert.ThrowsAsync<PartitionFencedException>(() => refused);
        Assert.Equal(5, (await store.LoadAsync(owned, Today, CancellationToken.None))!.Ticks.Count);
        Assert.Null(await store.LoadAsync(lost, Today, CancellationToken.None));
    }

    [Fact]
    public async Task ClaimAsync_WhileTheOldOwnersFlushIsInFlight_WaitsForItsCommitThenFencesIt()
    {
        var instrument = InstrumentKey.Parse("test:RACE");
        var partition = PartitionMap.PartitionOf(instrument, new StreamOptions().PartitionCount);
        var (old, _) = await OwnerAsync(instrument);
        await using var _o = old;
        var ticks = Ticks(instrument, Today.AddHours(9), 1, 9);
        await old.AppendTicksAsync(instrument, 1, ticks[..3], CancellationToken.None);

        // Stall the old owner's next flush after its fence check, at the pair_state upsert.
        await using var held = await HoldRowsAsync("SELECT 1 FROM pair_state WHERE symbol = 'RACE' FOR UPDATE");

        var inFlight = old.AppendTicksAsync(instrument, 1, ticks[3..6], CancellationToken.None).AsTask();
        await WaitForLockWaitsAsync(1);
        var claim = new PartitionFence(database.DataSource).ClaimAsync(partition, "silo-b", CancellationToken.None).AsTask();
        await WaitForLockWaitsAsync(2);
        var claimWaited = !claim.IsCompleted;
        await held.ReleaseAsync();
        await inFlight.WaitAsync(TimeSpan.FromSeconds(20));
        var newEpoch = await claim.WaitAsync(TimeSpan.FromSeconds(20));
        var late = await Assert.ThrowsAsync<PartitionFencedException>(
            () => old.AppendTicksAsync(instrument, 1, ticks[6..], CancellationToken.None).AsTask());

        Assert.True(claimWaited, "the claim completed while a write checked against the old epoch was uncommitted");
        Assert.Equal(newEpoch, late.Current);
        Assert.Equal(ticks[..6], (await old.LoadAsync(instrument, Today, CancellationToken.None))!.Ticks);
    }

    private async Task WaitForLockWaitsAsync(long sessions)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (await database.ScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") < sessions)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{sessions} sessions did not wait on locks within 20 s");
            await Task.Delay(10);
        }
    }
}
