using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PriceActors.Silo.Membership;
using PriceActors.Tests.Silo.Postgres;
using SiloStatus = PriceActors.Silo.Membership.SiloStatus;

namespace PriceActors.Tests.Silo.Membership;

public sealed class SiloMembershipTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ExecuteAsync_Running_HeartbeatsItsPartitionsAndLeavesAsDeadOnStop()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: true);
        var table = new MembershipTable(database.DataSource);
        var (membership, silo, _) = Create(table);
        membership.OwnedPartitions = () => [0, 5];

        await membership.StartAsync(CancellationToken.None);
        var running = await EventuallyAsync(table, silo.Id, s => s is { Status: SiloStatus.Active, Partitions.Count: 2 });
        await membership.StopAsync(CancellationToken.None);

        Assert.Equal([0, 5], running.Partitions);
        Assert.Equal(SiloStatus.Dead, Assert.Single(await table.ListAsync(CancellationToken.None)).Status);
        Assert.NotNull(membership.SinceLastHeartbeat);
        Assert.Null(membership.LastError);
    }

    [Fact]
    public async Task ExecuteAsync_AnotherSiloFallsSilent_DeclaresItDead()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: true);
        var table = new MembershipTable(database.DataSource);
        var (membership, _, _) = Create(table);
        var silent = new SiloIdentity("silent/1/x", "silent", 1, DateTimeOffset.UtcNow);
        await table.RegisterAsync(silent, CancellationToken.None);
        await table.HeartbeatAsync(silent.Id, [], CancellationToken.None);

        await membership.StartAsync(CancellationToken.None);
        try
        {
            await EventuallyAsync(table, silent.Id, s => s.Status == SiloStatus.Dead);
        }
        finally
        {
            await membership.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task ExecuteAsync_DeclaredDeadByTheCluster_StopsTheProcess()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: true);
        var table = new MembershipTable(database.DataSource);
        var (membership, silo, lifetime) = Create(table);
        await membership.StartAsync(CancellationToken.None);
        await EventuallyAsync(table, silo.Id, s => s.Status == SiloStatus.Active);

        await table.SetStatusAsync(silo.Id, SiloStatus.Dead, CancellationToken.None);

        await lifetime.Stopped.Task.WaitAsync(Deadline);
        await membership.StopAsync(CancellationToken.None);
    }

    private static (SiloMembership Membership, SiloIdentity Silo, RecordingLifetime Lifetime) Create(MembershipTable table)
    {
        var silo = SiloIdentity.ForThisProcess(TimeProvider.System) with { Id = "test/" + Guid.NewGuid().ToString("N") };
        var lifetime = new RecordingLifetime();
        var options = new MembershipOptions { HeartbeatInterval = TimeSpan.FromMilliseconds(100), DeadAfter = TimeSpan.FromSeconds(1) };
        var membership = new SiloMembership(table, silo, Options.Create(options), lifetime, TimeProvider.System, NullLogger<SiloMembership>.Instance);
        return (membership, silo, lifetime);
    }

    private static async Task<SiloRecord> EventuallyAsync(MembershipTable table, string siloId, Func<SiloRecord, bool> condition)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (true)
        {
            var record = (await table.ListAsync(CancellationToken.None)).SingleOrDefault(s => s.SiloId == siloId);
            if (record is not null && condition(record))
            {
                return record;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{siloId} never reached the expected state; last seen: {record}");
            await Task.Delay(50);
        }
    }

    private sealed class RecordingLifetime : IHostApplicationLifetime
    {
        public TaskCompletionSource Stopped { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => Stopped.TrySetResult();
    }
}
