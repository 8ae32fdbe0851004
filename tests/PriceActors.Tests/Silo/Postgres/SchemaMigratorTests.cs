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

    private static SchemaMigrator Migrator(PostgresDatabase database) => new(database.DataSource, NullLogger<SchemaMigrator>.Instance);
}
