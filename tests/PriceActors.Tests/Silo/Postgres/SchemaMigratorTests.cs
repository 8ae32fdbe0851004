using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using PriceActors.Silo.Health;
using PriceActors.Silo.Postgres;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Silo.Postgres;

public sealed class SchemaMigratorTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly string[] Tables = ["schema_migrations", "ticks", "ticks_default", "pair_state", "minute_bars", "partition_owners", "pair_fence_keys", "orleansmembershiptable", "orleansstreammessage"];
    private static readonly string[] Dropped = ["silos", "feed_leases"];

    [Fact]
    public void Migrations_Embedded_AreNumberedFromOneInOrder()
    {
        Assert.Equal(Enumerable.Range(1, SchemaMigrator.Migrations.Count), SchemaMigrator.Migrations.Select(m => m.Version));
        Assert.Equal("schema", SchemaMigrator.Migrations[0].Name);
    }

    [Fact]
    public async Task MigrateAsync_FreshDatabase_CreatesTablesAndRecordsEachVersion()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: false);

        var applied = await Migrator(database).MigrateAsync(CancellationToken.None);

        Assert.Equal(SchemaMigrator.Migrations.Count, applied);
        foreach (var table in Tables)
        {
            Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = $1", table));
        }

        foreach (var table in Dropped)
        {
            Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = $1", table));
        }

        var today = DateTime.UtcNow.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = $1", "ticks_" + today));
        Assert.Equal((long)applied, await database.ScalarAsync<long>("SELECT count(DISTINCT version) FROM schema_migrations"));
    }

    [Fact]
    public async Task MigrateAsync_RunTwice_AppliesNothingTheSecondTime()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: false);
        await Migrator(database).MigrateAsync(CancellationToken.None);

        var second = await Migrator(database).MigrateAsync(CancellationToken.None);

        Assert.Equal(0, second);
        Assert.Equal((long)SchemaMigrator.Migrations.Count, await database.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task MigrateAsync_SixSilosAtOnce_AppliesEachFileExactlyOnce()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: false);

        var applied = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => Migrator(database).MigrateAsync(CancellationToken.None))));

        Assert.Equal(SchemaMigrator.Migrations.Count, applied.Sum());
        Assert.Equal((long)SchemaMigrator.Migrations.Count, await database.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task MigrateAsync_TickBatchArrayColumns_GetNoStatisticsInAnyPartitionOldOrNew()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: false);
        await Migrator(database).MigrateAsync(CancellationToken.None);

        // A partition the retention pass creates after the migration, and 50 batches in today's.
        await database.ExecuteAsync("SELECT ensure_tick_partitions(current_date + 10, current_date + 10)");
        await database.ExecuteAsync("""
            INSERT INTO tick_batches
            SELECT 'ex', 's' || i, now(), 1, i, '{1,2}', '{1,2}', '{1.5,2.5}', '{1,1}', ARRAY[now(), now()], ARRAY[now(), now()], '{0,0}', '{0,0}'
            FROM generate_series(1, 50) AS i
            """);
        await database.ExecuteAsync("ANALYZE tick_batches");

        const string Arrays = "ARRAY['sequences','trade_ids','prices','quantities','exchange_times','receive_times','exchange_times_100ns','receive_times_100ns']";
        const string Tables = "(SELECT 'tick_batches'::regclass UNION ALL SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = 'tick_batches'::regclass)";
        var tables = await database.ScalarAsync<long>($"SELECT count(*) FROM {Tables} AS t");
        Assert.True(tables >= 7, $"{tables} tables; expected the parent, the default partition, yesterday to today + 2 and today + 10");
        Assert.Equal(8 * tables, await database.ScalarAsync<long>(
            $"SELECT count(*) FROM pg_attribute WHERE attrelid IN {Tables} AND attname = ANY({Arrays}) AND attstattarget = 0"));
        var today = "ticks_" + DateTime.UtcNow.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0L, await database.ScalarAsync<long>($"SELECT count(*) FROM pg_stats WHERE tablename = $1 AND attname = ANY({Arrays})", today));
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM pg_stats WHERE tablename = $1 AND attname = 'symbol'", today));
    }

    [Fact]
    public async Task StartAsync_DatabaseMissing_ReturnsAtOnceRetriesWithDoublingWaitsAndAppliesOnceItIsThere()
    {
        await using var database = PostgresDatabase.NotCreatedYet();
        var clock = new ManualTimeProvider();
        using var migrator = new SchemaMigrator(database.DataSource, NullLogger<SchemaMigrator>.Instance, clock);
        var health = new PostgresHealthCheck(database.DataSource, migrator);

        // The start itself does not wait for the database: the host goes on and its readiness says why.
        Assert.True(migrator.StartAsync(CancellationToken.None).IsCompletedSuccessfully);
        var applied = migrator.WaitUntilAppliedAsync(CancellationToken.None);
        foreach (var wait in new[] { 0.5, 1, 2, 4, 5, 5 }.Select(TimeSpan.FromSeconds))
        {
            await Eventually.HoldsAsync(() => clock.Pending().SequenceEqual([wait]), Deadline, $"a wait of {wait} after a failed attempt");
            Assert.False(applied.IsCompleted);
            clock.Advance(wait);
        }

        await Eventually.HoldsAsync(() => clock.Pending().Length == 1, Deadline, "the seventh attempt failed");
        var waiting = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(7, migrator.Attempts);
        Assert.Contains("does not exist", migrator.LastError, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Unhealthy, waiting.Status);
        Assert.EndsWith("the schema is not applied yet (7 attempts)", waiting.Description, StringComparison.Ordinal);

        await database.InitializeAsync();
        clock.Advance(SchemaMigrator.RetryCeiling);
        await applied.WaitAsync(Deadline);

        Assert.True(migrator.IsApplied);
        Assert.Null(migrator.LastError);
        Assert.Equal(8, migrator.Attempts);
        Assert.Empty(clock.Pending());
        Assert.Equal((long)SchemaMigrator.Migrations.Count, await database.ScalarAsync<long>("SELECT count(*) FROM schema_migrations"));
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);
        await migrator.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task StopAsync_WhileWaitingToRetry_EndsTheAttemptsAndCancelsTheWaiters()
    {
        await using var database = PostgresDatabase.NotCreatedYet();
        var clock = new ManualTimeProvider();
        using var migrator = new SchemaMigrator(database.DataSource, NullLogger<SchemaMigrator>.Instance, clock);
        await migrator.StartAsync(CancellationToken.None);
        var applied = migrator.WaitUntilAppliedAsync(CancellationToken.None);
        await Eventually.HoldsAsync(() => clock.Pending().Length == 1, Deadline, "the first attempt failed");

        await migrator.StopAsync(CancellationToken.None).WaitAsync(Deadline);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => applied);
        Assert.Empty(clock.Pending());
        Assert.Equal(1, migrator.Attempts);
        Assert.False(migrator.IsApplied);
    }

    private static SchemaMigrator Migrator(PostgresDatabase database) => new(database.DataSource, NullLogger<SchemaMigrator>.Instance);
}
