using PriceActors.Silo.Postgres;

namespace PriceActors.Tests.Silo.Postgres;

public sealed class PartitionFenceTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task ClaimAsync_FirstClaim_ReturnsEpochOneAndRecordsOwner()
    {
        var fence = new PartitionFence(database.DataSource);

        var epoch = await fence.ClaimAsync(1, "silo-a", CancellationToken.None);

        Assert.Equal(1, epoch);
        Assert.Equal(1, fence.TokenOf(1));
        Assert.Equal("silo-a", await database.ScalarAsync<string>("SELECT owner_silo FROM partition_owners WHERE partition = 1"));
    }

    [Fact]
    public async Task ClaimAsync_AnotherSiloClaims_IncrementsEpochAndOldTokenNoLongerMatches()
    {
        var a = new PartitionFence(database.DataSource);
        var b = new PartitionFence(database.DataSource);
        var first = await a.ClaimAsync(2, "silo-a", CancellationToken.None);

        var second = await b.ClaimAsync(2, "silo-b", CancellationToken.None);

        Assert.Equal(first + 1, second);
        Assert.Equal(first, a.TokenOf(2)); // a does not know yet; its writes are refused by the database
        Assert.Equal(second, await database.ScalarAsync<long>("SELECT owner_epoch FROM partition_owners WHERE partition = 2"));
        Assert.Equal("silo-b", await database.ScalarAsync<string>("SELECT owner_silo FROM partition_owners WHERE partition = 2"));
    }

    [Fact]
    public async Task ClaimAsync_ManyClaimsAtOnce_GiveDistinctEpochs()
    {
        var epochs = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            new PartitionFence(database.DataSource).ClaimAsync(3, $"silo-{i}", CancellationToken.None).AsTask()));

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), epochs.Order());
    }

    [Fact]
    public async Task Release_AfterClaim_TokenOfIsNull()
    {
        var fence = new PartitionFence(database.DataSource);
        await fence.ClaimAsync(4, "silo-a", CancellationToken.None);

        fence.Release(4);

        Assert.Null(fence.TokenOf(4));
        Assert.Null(fence.TokenOf(5));
    }
}
