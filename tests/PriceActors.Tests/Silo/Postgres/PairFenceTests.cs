using PriceActors.Grains;
using PriceActors.Grains.Storage;
using PriceActors.Silo.Postgres;

namespace PriceActors.Tests.Silo.Postgres;

/// <summary>Fencing per pair (silos on Orleans): the last activation to claim a pair is the only one whose writes land.</summary>
public sealed class PairFenceTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly DateTimeOffset At = new(DateTime.UtcNow.Date.AddHours(10), TimeSpan.Zero);

    [Fact]
    public async Task ClaimAsync_AnotherSiloClaimsThePair_TheFirstSilosWritesAreRefusedAndTheSecondsLand()
    {
        var pair = InstrumentKey.Parse("okx:SOLUSDT");
        await using var storeA = database.CreateStore(new PairFence(database.DataSource, "silo-a"));
        await using var storeB = database.CreateStore(new PairFence(database.DataSource, "silo-b"));

        await storeA.ClaimAsync(pair, CancellationToken.None);
        await storeA.AppendTicksAsync(pair, 7, Ticks(pair, 1, 2), CancellationToken.None);
        await storeB.ClaimAsync(pair, CancellationToken.None);
        var staleTicks = await Assert.ThrowsAsync<PartitionFencedException>(() => storeA.AppendTicksAsync(pair, 7, Ticks(pair, 3), CancellationToken.None).AsTask());
        var staleBar = await Assert.ThrowsAsync<PartitionFencedException>(() => storeA.SaveBarAsync(Bar(pair), CancellationToken.None).AsTask());
        await storeB.AppendTicksAsync(pair, 7, Ticks(pair, 3, 4), CancellationToken.None);
        await storeB.SaveBarAsync(Bar(pair), CancellationToken.None);

        var history = await storeB.LoadAsync(pair, At.AddHours(-1), CancellationToken.None);
        Assert.NotNull(staleTicks);
        Assert.NotNull(staleBar);
        Assert.Equal([1L, 2, 3, 4], history!.Ticks.Select(t => t.Sequence));
        Assert.Equal(4, history.LastSequence);
        Assert.Equal("silo-b", await database.ScalarAsync<string>(
            "SELECT o.owner_silo FROM partition_owners o JOIN pair_fence_keys k ON k.fence_key = o.partition WHERE k.pair_name = $1", pair.Value));
    }

    [Fact]
    public async Task AppendTicksAsync_PairNeverClaimed_IsRefused()
    {
        var pair = InstrumentKey.Parse("okx:TONUSDT");
        await using var store = database.CreateStore(new PairFence(database.DataSource, "silo-a"));

        await Assert.ThrowsAsync<PartitionFencedException>(() => store.AppendTicksAsync(pair, 7, Ticks(pair, 1), CancellationToken.None).AsTask());
    }

    [Fact]
    public async Task ClaimAsync_TwoPairsAndAClaimAgain_KeysOfTheirOwnAboveThePartitionsAndTheEpochMovesOn()
    {
        var fence = new PairFence(database.DataSource, "silo-a");
        var btc = InstrumentKey.Parse("bybit:BTCUSDT");
        var eth = InstrumentKey.Parse("bybit:ETHUSDT");

        var first = await fence.ClaimAsync(btc, CancellationToken.None);
        await fence.ClaimAsync(eth, CancellationToken.None);
        var again = await fence.ClaimAsync(btc, CancellationToken.None);

        var (btcKey, ethKey) = (fence.KeyOf(btc, 8), fence.KeyOf(eth, 8));
        Assert.NotEqual(btcKey, ethKey);
        Assert.True(btcKey >= 1_000_000 && ethKey >= 1_000_000, $"keys {btcKey}, {ethKey}");
        Assert.Equal(first + 1, again);
        Assert.Equal(again, fence.TokenOf(btcKey));
    }

    private static ReadOnlyMemory<SequencedTick> Ticks(InstrumentKey pair, params long[] sequences) =>
        sequences.Select(s => new SequencedTick(s, new Tick(pair, 100m + s, 1m, 500 + s, At.AddSeconds(s), At.AddSeconds(s)))).ToArray();

    private static MinuteBar Bar(InstrumentKey pair) => new(pair.Exchange, pair.Symbol, At, 101m, 104m, 101m, 104m, 102.5m, 102.5m, 4, 4m, 4, true);
}
