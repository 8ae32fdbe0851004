using PriceActors.Grains;
using PriceActors.Silo.Postgres;

namespace PriceActors.Tests.Silo.Postgres;

/// <summary>Claims of pairs: a fence row of its own per pair, whose owner epoch each claim moves on.</summary>
public sealed class PairFenceTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task ClaimAsync_FirstClaim_EpochOneOnAKeyFromAMillionUpRecordingTheOwner()
    {
        var pair = InstrumentKey.Parse("okx:TONUSDT");
        var fence = new PairFence(database.DataSource, "silo-a");

        var epoch = await fence.ClaimAsync(pair, CancellationToken.None);

        var key = await database.FenceKeyOfAsync(pair);
        Assert.Equal(1, epoch);
        Assert.Equal((key, 1L), fence.ClaimOf(pair));
        Assert.InRange(key, 1_000_000, int.MaxValue);
        Assert.Equal("silo-a", await database.ScalarAsync<string>("SELECT owner_silo FROM partition_owners WHERE partition = $1", key));
    }

    [Fact]
    public async Task ClaimAsync_TwoPairsAndAClaimAgain_KeysOfTheirOwnAndTheEpochMovesOn()
    {
        var fence = new PairFence(database.DataSource, "silo-a");
        var btc = InstrumentKey.Parse("bybit:BTCUSDT");
        var eth = InstrumentKey.Parse("bybit:ETHUSDT");

        var first = await fence.ClaimAsync(btc, CancellationToken.None);
        await fence.ClaimAsync(eth, CancellationToken.None);
        var again = await fence.ClaimAsync(btc, CancellationToken.None);

        var (btcClaim, ethClaim) = (fence.ClaimOf(btc)!.Value, fence.ClaimOf(eth)!.Value);
        Assert.NotEqual(btcClaim.Key, ethClaim.Key);
        Assert.Equal(first + 1, again);
        Assert.Equal(again, btcClaim.Token);
    }

    [Fact]
    public async Task ClaimAsync_AnotherSiloClaims_MovesTheEpochOnAndTheFirstKeepsItsOldToken()
    {
        var pair = InstrumentKey.Parse("okx:ADAUSDT");
        var (a, b) = (new PairFence(database.DataSource, "silo-a"), new PairFence(database.DataSource, "silo-b"));
        var first = await a.ClaimAsync(pair, CancellationToken.None);

        var second = await b.ClaimAsync(pair, CancellationToken.None);

        // a does not know yet: the database refuses its writes.
        Assert.Equal(first + 1, second);
        Assert.Equal(first, a.ClaimOf(pair)!.Value.Token);
        Assert.Equal(a.ClaimOf(pair)!.Value.Key, b.ClaimOf(pair)!.Value.Key);
        var key = await database.FenceKeyOfAsync(pair);
        Assert.Equal(second, await database.ScalarAsync<long>("SELECT owner_epoch FROM partition_owners WHERE partition = $1", key));
        Assert.Equal("silo-b", await database.ScalarAsync<string>("SELECT owner_silo FROM partition_owners WHERE partition = $1", key));
    }

    [Fact]
    public async Task ClaimAsync_ManySilosClaimANewPairAtOnce_OneKeyAndDistinctEpochs()
    {
        var pair = InstrumentKey.Parse("okx:DOTUSDT");
        var fences = Enumerable.Range(0, 20).Select(i => new PairFence(database.DataSource, $"silo-{i}")).ToArray();

        var epochs = await Task.WhenAll(fences.Select(f => f.ClaimAsync(pair, CancellationToken.None).AsTask()));

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), epochs.Order());
        Assert.Single(fences.Select(f => f.ClaimOf(pair)!.Value.Key).Distinct());
    }

    [Fact]
    public void ClaimOf_PairNotClaimed_IsNull()
    {
        var fence = new PairFence(database.DataSource, "silo-a");

        Assert.Null(fence.ClaimOf(InstrumentKey.Parse("okx:XRPUSDT")));
    }
}
