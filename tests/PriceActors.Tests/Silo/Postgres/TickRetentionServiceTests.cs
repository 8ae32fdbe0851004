using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PriceActors.Silo.Postgres;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Silo.Postgres;

public sealed class TickRetentionServiceTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task ExecuteAsync_AtStartAndEveryInterval_CreatesTheComingDaysPartitions()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2033, 1, 10, 23, 0, 0, TimeSpan.Zero));
        var options = Options.Create(new PostgresOptions { ConnectionString = database.ConnectionString, PartitionsAhead = 1 });
        await using var store = database.CreateStore(o => o.PartitionsAhead = 1, clock);
        using var service = new TickRetentionService(store, options, clock, NullLogger<TickRetentionService>.Instance);

        await service.StartAsync(CancellationToken.None);
        await WaitForPartitionAsync("ticks_20330111");
        var beforeTheHour = await PartitionExistsAsync("ticks_20330112");
        clock.Advance(TimeSpan.FromHours(1)); // 2033-01-11 00:00: the next pass creates 2033-01-12
        await WaitForPartitionAsync("ticks_20330112");
        await service.StopAsync(CancellationToken.None);

        Assert.False(beforeTheHour);
    }

    // The service runs on its own task; wait for its database work with a deadline.
    private async Task WaitForPartitionAsync(string name)
    {
        var deadline = DateTime.UtcNow + Deadline;
        while (!await PartitionExistsAsync(name))
        {
            Assert.True(DateTime.UtcNow < deadline, $"{name} was not created within {Deadline}");
            await Task.Delay(20);
        }
    }

    private async Task<bool> PartitionExistsAsync(string name) =>
        await database.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = $1", name) == 1;
}
