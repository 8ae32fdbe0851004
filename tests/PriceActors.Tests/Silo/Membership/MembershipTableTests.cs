using PriceActors.Silo.Membership;
using PriceActors.Tests.Silo.Postgres;
using SiloStatus = PriceActors.Silo.Membership.SiloStatus;

namespace PriceActors.Tests.Silo.Membership;

public sealed class MembershipTableTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task HeartbeatAsync_AfterRegister_MakesTheSiloActiveWithItsPartitions()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: true);
        var table = new MembershipTable(database.DataSource);
        var silo = Silo("a");

        await table.RegisterAsync(silo, CancellationToken.None);
        var joining = Assert.Single(await table.ListAsync(CancellationToken.None));
        Assert.True(await table.HeartbeatAsync(silo.Id, [3, 1, 2], CancellationToken.None));

        var active = Assert.Single(await table.ListAsync(CancellationToken.None));
        Assert.Equal(SiloStatus.Joining, joining.Status);
        Assert.Equal((silo.Id, "host-a", 4242, SiloStatus.Active), (active.SiloId, active.Host, active.ProcessId, active.Status));
        Assert.Equal([3, 1, 2], active.Partitions);
        Assert.Equal(Start, active.StartedAt);
    }

    [Fact]
    public async Task MarkDeadAsync_SilentSilo_DeclaresOnlyItDeadAndRefusesItsHeartbeats()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: true);
        var table = new MembershipTable(database.DataSource);
        var (silent, alive) = (Silo("silent"), Silo("alive"));
        foreach (var silo in new[] { silent, alive })
        {
            await table.RegisterAsync(silo, CancellationToken.None);
            await table.HeartbeatAsync(silo.Id, [], CancellationToken.None);
        }

        await database.ScalarAsync<string>("UPDATE silos SET heartbeat_at = now() - interval '1 minute' WHERE silo_id = $1 RETURNING silo_id", silent.Id);
        var dead = await table.MarkDeadAsync(TimeSpan.FromSeconds(10), TimeSpan.FromDays(1), CancellationToken.None);

        Assert.Equal([silent.Id], dead);
        Assert.False(await table.HeartbeatAsync(silent.Id, [], CancellationToken.None));
        Assert.True(await table.HeartbeatAsync(alive.Id, [], CancellationToken.None));
        var statuses = (await table.ListAsync(CancellationToken.None)).ToDictionary(s => s.SiloId, s => s.Status);
        Assert.Equal(SiloStatus.Dead, statuses[silent.Id]);
        Assert.Equal(SiloStatus.Active, statuses[alive.Id]);
        Assert.Empty(await table.MarkDeadAsync(TimeSpan.FromSeconds(10), TimeSpan.FromDays(1), CancellationToken.None));
    }

    [Fact]
    public async Task MarkDeadAsync_DeadLongerThanForgetAfter_DeletesTheRow()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: true);
        var table = new MembershipTable(database.DataSource);
        var (old, recent) = (Silo("old"), Silo("recent"));
        await table.RegisterAsync(old, CancellationToken.None);
        await table.RegisterAsync(recent, CancellationToken.None);
        await table.SetStatusAsync(old.Id, SiloStatus.Dead, CancellationToken.None);
        await table.SetStatusAsync(recent.Id, SiloStatus.Dead, CancellationToken.None);
        await database.ScalarAsync<string>("UPDATE silos SET heartbeat_at = now() - interval '2 hours' WHERE silo_id = $1 RETURNING silo_id", old.Id);

        await table.MarkDeadAsync(TimeSpan.FromSeconds(10), TimeSpan.FromHours(1), CancellationToken.None);

        Assert.Equal([recent.Id], (await table.ListAsync(CancellationToken.None)).Select(s => s.SiloId));
    }

    private static SiloIdentity Silo(string name) => new($"host-{name}/4242/{name}", $"host-{name}", 4242, Start);
}
