using Microsoft.Extensions.Logging.Abstractions;
using PriceActors.Silo.Postgres;

namespace PriceActors.Tests.Silo.Postgres;

public sealed class SchemaMigratorTests
{
    private static readonly string[] Tables = ["schema_migrations", "ticks", "ticks_default", "pair_state", "minute_bars", "partition_owners", "silos", "feed_leases"];

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

    private static SchemaMigrator Migrator(PostgresDatabase database) => new(database.DataSource, NullLogger<SchemaMigrator>.Instance);
}
