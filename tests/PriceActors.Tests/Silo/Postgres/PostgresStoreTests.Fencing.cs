using PriceActors.Grains;
using PriceActors.Silo.Postgres;

namespace PriceActors.Tests.Silo.Postgres;

public sealed partial class PostgresStoreTests
{
    [Fact]
    public async Task AppendTicksAsync_PairNeverClaimed_ThrowsFencedAndWritesNothing()
    {
        var instrument = InstrumentKey.Parse("test:UNCLAIMED");
        await using var store = database.CreateStore();

        var error = await Assert.ThrowsAsync<PairFencedException>(
            () => store.AppendTicksAsync(instrument, 1, Ticks(instrument, Today, 1, 3), CancellationToken.None).AsTask());
        var barError = await Assert.ThrowsAsync<PairFencedException>(
            () => store.SaveBarAsync(new MinuteBar("test", "UNCLAIMED", Today, 1, 1, 1, 1, 1, 1, 1, 1, 3, true), 1, CancellationToken.None).AsTask());

        Assert.Equal((instrument, null, null), (error.Instrument, error.Key, error.Token));
        Assert.Contains("has not claimed", error.Message, StringComparison.Ordinal);
        Assert.Equal(instrument, barError.Instrument);
        Assert.Null(await store.LoadAsync(instrument, Today, CancellationToken.None));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM pair_fence_keys WHERE pair_name = $1", instrument.Value));
    }

    [Fact]
    public async Task AppendTicksAsync_AfterAnotherSiloClaimedThePair_ThrowsFencedAndWritesNothing()
    {
        var instrument = InstrumentKey.Parse("test:FENCED");
        await using var frozen = await OwnerAsync(instrument);
        var ticks = Ticks(instrument, Today.AddHours(6), 1, 10);
        await frozen.AppendTicksAsync(instrument, 1, ticks[..5], CancellationToken.None);
        var current = await new PairFence(database.DataSource, "silo-b").ClaimAsync(instrument, CancellationToken.None);
        var key = await database.FenceKeyOfAsync(instrument);

        var error = await Assert.ThrowsAsync<PairFencedException>(
            () => frozen.AppendTicksAsync(instrument, 1, ticks[5..], CancellationToken.None).AsTask());
        var barError = await Assert.ThrowsAsync<PairFencedException>(
            () => frozen.SaveBarAsync(new MinuteBar("test", "FENCED", Today.AddHours(6), 1, 1, 1, 1, 1, 1, 1, 1, 5, true), 1, CancellationToken.None).AsTask());

        Assert.Equal((instrument, key, current - 1, current), (error.Instrument, error.Key, error.Token, error.Current));
        Assert.Equal((instrument, key, current - 1, current), (barError.Instrument, barError.Key, barError.Token, barError.Current));
        var history = await frozen.LoadAsync(instrument, Today, CancellationToken.None);
        Assert.Equal(ticks[..5], history!.Ticks);
        Assert.Equal(5, history.LastSequence);
        Assert.Empty(history.Bars);
    }

    [Fact]
    public async Task AppendTicksAsync_OneInstrumentFencedInAGroupCommit_FailsOnlyThatOne()
    {
        var (owned, lost) = (InstrumentKey.Parse("test:OWNED"), InstrumentKey.Parse("test:LOST"));
        await using var store = database.CreateStore(o => o.FlushInterval = TimeSpan.FromMilliseconds(50));
        await ClaimAllAsync(store, [owned, lost]);
        await new PairFence(database.DataSource, "silo-b").ClaimAsync(lost, CancellationToken.None);

        var ok = store.AppendTicksAsync(owned, 1, Ticks(owned, Today.AddHours(7), 1, 5), CancellationToken.None).AsTask();
        var refused = store.AppendTicksAsync(lost, 1, Ticks(lost, Today.AddHours(7), 1, 5), CancellationToken.None).AsTask();

        await ok;
        Assert.Equal(lost, (await Assert.ThrowsAsync<PairFencedException>(() => refused)).Instrument);
        Assert.Equal(5, (await store.LoadAsync(owned, Today, CancellationToken.None))!.Ticks.Count);
        Assert.Null(await store.LoadAsync(lost, Today, CancellationToken.None));
    }

    [Fact]
    public async Task ClaimAsync_WhileTheOldOwnersFlushIsInFlight_WaitsForItsCommitThenFencesIt()
    {
        var instrument = InstrumentKey.Parse("test:RACE");
        await using var old = await OwnerAsync(instrument);
        var ticks = Ticks(instrument, Today.AddHours(9), 1, 9);
        await old.AppendTicksAsync(instrument, 1, ticks[..3], CancellationToken.None);

        // Stall the old owner's next flush after its fence check, at the pair_state upsert.
        await using var held = await HoldRowsAsync("SELECT 1 FROM pair_state WHERE symbol = 'RACE' FOR UPDATE");

        var inFlight = old.AppendTicksAsync(instrument, 1, ticks[3..6], CancellationToken.None).AsTask();
        await WaitForLockWaitsAsync(1);
        var claim = new PairFence(database.DataSource, "silo-b").ClaimAsync(instrument, CancellationToken.None).AsTask();
        await WaitForLockWaitsAsync(2);
        var claimWaited = !claim.IsCompleted;
        await held.ReleaseAsync();
        await inFlight.WaitAsync(TimeSpan.FromSeconds(20));
        var newEpoch = await claim.WaitAsync(TimeSpan.FromSeconds(20));
        var late = await Assert.ThrowsAsync<PairFencedException>(
            () => old.AppendTicksAsync(instrument, 1, ticks[6..], CancellationToken.None).AsTask());

        Assert.True(claimWaited, "the claim completed while a write checked against the old epoch was uncommitted");
        Assert.Equal(newEpoch, late.Current);
        Assert.Equal(ticks[..6], (await old.LoadAsync(instrument, Today, CancellationToken.None))!.Ticks);
    }

    [Fact]
    public async Task ClaimAsync_AnotherSiloClaimsThePair_OnlyTheNewOwnersWritesLand()
    {
        var pair = InstrumentKey.Parse("okx:SOLUSDT");
        var ticks = Ticks(pair, Today.AddHours(12), 1, 4);
        var bar = new MinuteBar("okx", "SOLUSDT", Today.AddHours(12), 101m, 104m, 101m, 104m, 102.5m, 102.5m, 4, 4m, 4, true);
        await using var storeA = database.CreateStore();
        await using var storeB = database.CreateStore(fence: new PairFence(database.DataSource, "silo-b"));

        await storeA.ClaimAsync(pair, CancellationToken.None);
        await storeA.AppendTicksAsync(pair, 7, ticks[..2], CancellationToken.None);
        await storeB.ClaimAsync(pair, CancellationToken.None);
        await Assert.ThrowsAsync<PairFencedException>(() => storeA.AppendTicksAsync(pair, 7, ticks[2..3], CancellationToken.None).AsTask());
        await Assert.ThrowsAsync<PairFencedException>(() => storeA.SaveBarAsync(bar with { Close = 1m }, 7, CancellationToken.None).AsTask());
        await storeB.AppendTicksAsync(pair, 7, ticks[2..], CancellationToken.None);
        await storeB.SaveBarAsync(bar, 7, CancellationToken.None);

        var history = await storeB.LoadAsync(pair, Today, CancellationToken.None);
        Assert.Equal(ticks, history!.Ticks);
        Assert.Equal(4, history.LastSequence);
        Assert.Equal(bar, Assert.Single(history.Bars));
        Assert.Equal("silo-b", await database.ScalarAsync<string>(
            "SELECT o.owner_silo FROM partition_owners o JOIN pair_fence_keys k ON k.fence_key = o.partition WHERE k.pair_name = $1", pair.Value));
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
