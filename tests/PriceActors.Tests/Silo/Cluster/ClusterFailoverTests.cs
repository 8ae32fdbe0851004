using PriceActors.Grains;
using PriceActors.Silo.RabbitMq;
using PriceActors.Tests.Silo.Postgres;
using PriceActors.Tests.Silo.RabbitMq;
using PriceActors.Tests.Support;
using Xunit.Abstractions;

namespace PriceActors.Tests.Silo.Cluster;

/// <summary>
/// Three silo processes on the real broker and database; the test is the feed, so it knows exactly
/// what was produced. The silo owning the partitions is killed with SIGKILL in the middle.
/// </summary>
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    private const int Partitions = 8;
    private const int Instruments = 24;
    private const int Rounds = 60;
    private const int TicksPerBatch = 10;

    [Fact]
    public async Task KillMinus9_OwnerSiloDuringLoad_NoTickLostOrDuplicatedAndOwnershipBackWithin5Seconds()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: true);
        await using var bus = new RabbitMqTestBus(Partitions);
        string[] settings =
        [
            "--Postgres:ConnectionString", database.ConnectionString,
            "--RabbitMq:Uri", TestServers.RabbitMq.ToString(),
            "--RabbitMq:Prefix", bus.Options.Prefix,
            "--Streams:PartitionCount", Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--Cluster:RunFeeds", "false",
            "--Logging:LogLevel:Default", "Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information",
        ];
        await using var first = await SiloProcess.StartAsync(settings);
        await WaitUntilAsync(() => Scalar(database, "SELECT count(*) FROM silos WHERE status = 'active'"), n => n == 1, "the first silo to join");
        await using var second = await SiloProcess.StartAsync(settings);
        await using var third = await SiloProcess.StartAsync(settings);
        await WaitUntilAsync(() => Scalar(database, "SELECT count(*) FROM silos WHERE status = 'active'"), n => n == 3, "three active silos");
        var feed = bus.NewTickStream();
        var instruments = Enumerable.Range(1, Instruments).Select(i => InstrumentKey.Create("test", $"SYM{i}USDT")).ToArray();
        DateTimeOffset? killedAt = null;

        for (var round = 0; round < Rounds; round++)
        {
            var now = DateTimeOffset.UtcNow;
            await Task.WhenAll(instruments.Select(i => feed.PublishAsync(Batch(i, round, now), CancellationToken.None).AsTask()));
            if (round == Rounds / 3)
            {
                var owner = await database.ScalarAsync<string>("SELECT owner_silo FROM partition_owners GROUP BY owner_silo ORDER BY count(*) DESC LIMIT 1");
                var victim = new[] { first, second, third }.Single(s => owner.Contains($"/{s.ProcessId}/", StringComparison.Ordinal));
                victim.Kill();
                killedAt = DateTimeOffset.UtcNow;
            }

            await Task.Delay(25);
        }

        const long expected = (long)Instruments * Rounds * TicksPerBatch;
        await WaitUntilAsync(() => Scalar(database, "SELECT count(*) FROM ticks"), n => n == expected, $"{expected} ticks in PostgreSQL", TimeSpan.FromSeconds(90));
        await using var check = database.DataSource.CreateCommand("""
            SELECT exchange || ':' || symbol, count(*), count(DISTINCT trade_id), min(trade_id), max(trade_id),
                   min(sequence), max(sequence), count(DISTINCT sequence), count(DISTINCT epoch)
            FROM ticks GROUP BY 1 ORDER BY 1
            """);
        await using var reader = await check.ExecuteReaderAsync();
        var rows = 0;
        while (await reader.ReadAsync())
        {
            rows++;
            var perInstrument = (long)Rounds * TicksPerBatch;
            Assert.Equal(
                (perInstrument, perInstrument, 1L, perInstrument, 1L, perInstrument, perInstrument, 1L),
                (reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8)));
        }

        Assert.Equal(Instruments, rows);
        var reclaimed = await database.ScalarAsync<DateTime>("SELECT max(claimed_at) FROM partition_owners WHERE owner_epoch > 1");
        var takeover = new DateTimeOffset(reclaimed, TimeSpan.Zero) - killedAt!.Value;
        output.WriteLine($"partitions owned again {takeover.TotalMilliseconds:0} ms after the kill; {expected} ticks durable, each once, sequences contiguous");
        Assert.InRange(takeover, TimeSpan.Zero, TimeSpan.FromSeconds(5));
    }

    private static TickBatch Batch(InstrumentKey instrument, int round, DateTimeOffset now)
    {
        var ticks = new Tick[TicksPerBatch];
        for (var i = 0; i < TicksPerBatch; i++)
        {
            var tradeId = ((long)round * TicksPerBatch) + i + 1;
            ticks[i] = new Tick(instrument, 100m + (tradeId % 97 * 0.01m), 0.5m, tradeId, now, now);
        }

        return new TickBatch(instrument, ticks);
    }

    private static Task<long> Scalar(PostgresDatabase database, string sql) => database.ScalarAsync<long>(sql);

    private static async Task WaitUntilAsync(Func<Task<long>> read, Func<long, bool> done, string what, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        long last;
        while (!done(last = await read()))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Waited in vain for {what}; last value {last}.");
            await Task.Delay(100);
        }
    }
}
