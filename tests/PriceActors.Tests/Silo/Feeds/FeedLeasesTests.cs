using Microsoft.Extensions.Options;
using PriceActors.Silo.Feeds;
using PriceActors.Tests.Silo.Postgres;

namespace PriceActors.Tests.Silo.Feeds;

public sealed class FeedLeasesTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task TryAcquireOrRenewAsync_NoLease_AcquiresEpochOneForTheLeaseDuration()
    {
        var leases = Leases(Long);

        var claim = await leases.TryAcquireOrRenewAsync("first", "silo-a", CancellationToken.None);

        Assert.True(claim.Held);
        Assert.Equal(1, claim.Epoch);
        Assert.Equal("silo-a", claim.Owner);
        var now = await database.ScalarAsync<DateTime>("SELECT now()");
        Assert.InRange(claim.ExpiresAt, now + Long - TimeSpan.FromSeconds(5), now + Long);
    }

    [Fact]
    public async Task TryAcquireOrRenewAsync_AnotherSiloHoldsAValidLease_RefusedWithTheHolder()
    {
        var leases = Leases(Long);
        var first = await leases.TryAcquireOrRenewAsync("refused", "silo-a", CancellationToken.None);

        var second = await leases.TryAcquireOrRenewAsync("refused", "silo-b", CancellationToken.None);

        Assert.False(second.Held);
        Assert.Equal("silo-a", second.Owner);
        Assert.Equal(first.Epoch, second.Epoch);
        Assert.Equal(first.ExpiresAt, second.ExpiresAt);
    }

    [Fact]
    public async Task TryAcquireOrRenewAsync_HolderRenews_SameEpochLaterExpiry()
    {
        var leases = Leases(Long);
        var first = await leases.TryAcquireOrRenewAsync("renewed", "silo-a", CancellationToken.None);

        var renewed = await leases.TryAcquireOrRenewAsync("renewed", "silo-a", CancellationToken.None);

        Assert.True(renewed.Held);
        Assert.Equal(first.Epoch, renewed.Epoch);
        Assert.True(renewed.ExpiresAt > first.ExpiresAt);
    }

    [Fact]
    public async Task TryAcquireOrRenewAsync_LeaseExpired_AnotherSiloTakesOverWithNextEpoch()
    {
        var lease = TimeSpan.FromMilliseconds(500);
        var leases = Leases(lease);
        var first = await leases.TryAcquireOrRenewAsync("expired", "silo-a", CancellationToken.None);
        Assert.False((await leases.TryAcquireOrRenewAsync("expired", "silo-b", CancellationToken.None)).Held);

        FeedLeaseClaim? taken = null;
        await Poll.UntilAsync(
            async () => (taken = await leases.TryAcquireOrRenewAsync("expired", "silo-b", CancellationToken.None)).Held,
            TimeSpan.FromSeconds(5),
            "silo-b takes the expired lease");

        Assert.Equal(2, taken!.Epoch);
        Assert.Equal("silo-b", taken.Owner);
        Assert.True(taken.ExpiresAt - lease >= first.ExpiresAt, "taken over before the lease expired by the database clock");
        Assert.False((await leases.TryAcquireOrRenewAsync("expired", "silo-a", CancellationToken.None)).Held);
    }

    [Fact]
    public async Task TryAcquireOrRenewAsync_HolderComesBackAfterExpiry_NextEpoch()
    {
        var leases = Leases(TimeSpan.FromMilliseconds(500));
        var first = await leases.TryAcquireOrRenewAsync("returned", "silo-a", CancellationToken.None);
        await database.ExecuteAsync("UPDATE feed_leases SET expires_at = now() - interval '1 second' WHERE exchange = 'returned'");

        var again = await leases.TryAcquireOrRenewAsync("returned", "silo-a", CancellationToken.None);

        Assert.True(again.Held);
        Assert.Equal(first.Epoch + 1, again.Epoch);
    }

    [Fact]
    public async Task ReleaseAsync_Holder_LeaseImmediatelyAvailable()
    {
        var leases = Leases(Long);
        await leases.TryAcquireOrRenewAsync("released", "silo-a", CancellationToken.None);

        Assert.False(await leases.ReleaseAsync("released", "silo-b", CancellationToken.None));
        Assert.True(await leases.ReleaseAsync("released", "silo-a", CancellationToken.None));
        var taken = await leases.TryAcquireOrRenewAsync("released", "silo-b", CancellationToken.None);

        Assert.True(taken.Held);
        Assert.Equal(2, taken.Epoch);
        Assert.False(await leases.ReleaseAsync("released", "silo-a", CancellationToken.None));
    }

    [Fact]
    public async Task TryAcquireOrRenewAsync_ManySilosAtOnce_ExactlyOneWinsAndTheOthersSeeIt()
    {
        var leases = Leases(Long);
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var claims = Enumerable.Range(0, 16).Select(i => Task.Run(async () =>
        {
            await start.Task; // released together, without blocking pool threads
            return await leases.TryAcquireOrRenewAsync("contested", $"silo-{i}", CancellationToken.None);
        })).ToArray();

        start.SetResult();
        var results = await Task.WhenAll(claims);

        var winner = Assert.Single(results, c => c.Held);
        Assert.All(results, c => Assert.Equal((winner.Owner, 1L), (c.Owner, c.Epoch)));
        Assert.Equal(winner.Owner, await database.ScalarAsync<string>("SELECT owner_silo FROM feed_leases WHERE exchange = 'contested'"));
    }

    [Fact]
    public async Task GetLeasesAsync_ValidAndReleasedLeases_ListedWithOwnerEpochAndValidity()
    {
        var leases = Leases(Long);
        await leases.TryAcquireOrRenewAsync("listed-a", "silo-a", CancellationToken.None);
        await leases.TryAcquireOrRenewAsync("listed-b", "silo-b", CancellationToken.None);
        await leases.ReleaseAsync("listed-b", "silo-b", CancellationToken.None);

        var listed = (await leases.GetLeasesAsync(CancellationToken.None)).Where(l => l.Exchange.StartsWith("listed-", StringComparison.Ordinal)).ToList();

        Assert.Collection(
            listed,
            a => Assert.Equal(("listed-a", "silo-a", 1L, true), (a.Exchange, a.Owner, a.Epoch, a.Valid)),
            b => Assert.Equal(("listed-b", "silo-b", 1L, false), (b.Exchange, b.Owner, b.Epoch, b.Valid)));
    }

    private FeedLeases Leases(TimeSpan leaseDuration) =>
        new(database.DataSource, Options.Create(new FeedElectionOptions { LeaseDuration = leaseDuration, RenewInterval = leaseDuration / 4 }));
}
