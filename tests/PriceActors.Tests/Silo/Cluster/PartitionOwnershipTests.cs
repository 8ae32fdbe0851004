using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Storage;
using PriceActors.Grains.Streams;
using PriceActors.Silo.Cluster;
using PriceActors.Silo.Membership;
using PriceActors.Silo.Postgres;
using PriceActors.Silo.RabbitMq.Requests;
using PriceActors.Tests.Grains;
using PriceActors.Tests.Silo.Postgres;
using PriceActors.Tests.Silo.RabbitMq;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Silo.Cluster;

public sealed class PartitionOwnershipTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private static readonly StreamOptions Streams = new() { PartitionCount = 16 };

    [Fact]
    public async Task OnAcquiredAsync_TwoSilosInTurn_EachClaimsANewOwnerEpochAndTheFirstLosesItsToken()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: true);
        await using var host = StartPairs();
        var (firstFence, secondFence) = (new PartitionFence(database.DataSource), new PartitionFence(database.DataSource));
        var first = Ownership(firstFence, host, "silo-1");
        var second = Ownership(secondFence, host, "silo-2");

        await first.OnAcquiredAsync(3);
        await second.OnAcquiredAsync(3);
        await first.OnReleasedAsync(3);

        Assert.Equal(2L, second.Owned[3]);
        Assert.Empty(first.Owned);
        Assert.Null(firstFence.TokenOf(3));
        Assert.Equal(2L, secondFence.TokenOf(3));
        Assert.Equal("silo-2", await database.ScalarAsync<string>("SELECT owner_silo FROM partition_owners WHERE partition = 3"));
    }

    [Fact]
    public async Task OnReleasedAsync_PairsOfSeveralPartitions_DeactivatesOnlyThoseOfTheReleasedPartition()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: true);
        await using var host = StartPairs();
        var ownership = Ownership(new PartitionFence(database.DataSource), host, "silo-1");
        var instruments = Enumerable.Range(0, 40).Select(i => InstrumentKey.Create("ex", $"S{i}USDT")).ToList();
        var moving = PartitionMap.PartitionOf(instruments[0], Streams.PartitionCount);
        var staying = instruments.Where(i => PartitionMap.PartitionOf(i, Streams.PartitionCount) != moving).Take(3).ToList();
        var leaving = instruments.Where(i => PartitionMap.PartitionOf(i, Streams.PartitionCount) == moving).ToList();
        foreach (var instrument in staying.Concat(leaving))
        {
            await host.Pair(instrument).AskAsync(GetLatestPrice.Instance).WaitAsync(Deadline);
        }

        await ownership.OnAcquiredAsync(moving);
        await ownership.OnReleasedAsync(moving);

        Assert.Equal(staying.Select(i => i.Value).Order(), host.Runtime.GetActiveKeys("pair").Order());
    }

    [Fact]
    public async Task OnAcquiredAsync_WithRequestServer_ServesThePartitionsRequestsUntilReleased()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: true);
        await using var host = StartPairs();
        await using var bus = new RabbitMqTestBus(Streams.PartitionCount);
        await using var server = new PartitionRequestServer(
            bus.NewConnection(),
            host.Runtime,
            Options.Create(Streams),
            Options.Create(new RabbitMqRequestOptions()),
            new RequestStatistics(),
            NullLogger<PartitionRequestServer>.Instance,
            TimeProvider.System);
        var ownership = new PartitionOwnership(
            new PartitionFence(database.DataSource), host.Runtime, new SiloIdentity("silo-1", "host", 1, DateTimeOffset.UtcNow), Options.Create(Streams), NullLogger<PartitionOwnership>.Instance, server);

        await ownership.OnAcquiredAsync(5);
        var serving = server.Partitions.ToArray();
        await ownership.OnReleasedAsync(5);

        Assert.Equal([5], serving);
        Assert.Empty(server.Partitions);
    }

    private static GrainHost StartPairs() =>
        GrainHost.StartPairs(new ManualTimeProvider(), new InMemoryStore(Options.Create(new InMemoryStoreOptions())));

    private static PartitionOwnership Ownership(IPartitionFence fence, GrainHost host, string siloId) =>
        new(fence, host.Runtime, new SiloIdentity(siloId, "host", 1, DateTimeOffset.UtcNow), Options.Create(Streams), NullLogger<PartitionOwnership>.Instance);
}
