using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using PriceActors.Grains;
using PriceActors.Silo.Postgres;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Silo.Postgres;

/// <summary>
/// A database of its own on the test server, created fresh (optionally migrated) and dropped at the
/// end, so test classes never see each other's rows. Use as a class fixture or create one per test.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime, IAsyncDisposable
{
    private readonly bool migrate;

    public PostgresDatabase()
        : this(migrate: true)
    {
    }

    private PostgresDatabase(bool migrate)
    {
        this.migrate = migrate;
        Name = "pa_test_" + Guid.NewGuid().ToString("N")[..16];
        ConnectionString = new NpgsqlConnectionStringBuilder(TestServers.Postgres) { Database = Name }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public string Name { get; }

    // Unpooled: a pooled admin connection may have been killed by a server restart in between.
    private static string Admin => new NpgsqlConnectionStringBuilder(TestServers.Postgres) { Pooling = false }.ConnectionString;

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>A name and a data source for a database that does not exist until <see cref="InitializeAsync"/> creates it.</summary>
    public static PostgresDatabase NotCreatedYet() => new(migrate: false);

    public static async Task<PostgresDatabase> CreateAsync(bool migrate)
    {
        var database = new PostgresDatabase(migrate);
        await database.InitializeAsync();
        return database;
    }

    public async Task InitializeAsync()
    {
        await using (var admin = new NpgsqlConnection(Admin))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {Name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        if (migrate)
        {
            await new SchemaMigrator(DataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        }
    }

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await using var admin = new NpgsqlConnection(Admin);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    /// <summary>
    /// A store on this database, fenced by <paramref name="fence"/> (by default one of its own, owner <c>silo-a</c>): it
    /// writes a pair only after <see cref="PostgresStore.ClaimAsync"/> claimed it.
    /// </summary>
    public PostgresStore CreateStore(Action<PostgresOptions>? configure = null, TimeProvider? time = null, PairFence? fence = null)
    {
        var options = new PostgresOptions { ConnectionString = ConnectionString, FlushInterval = TimeSpan.FromMilliseconds(1) };
        configure?.Invoke(options);
        return new PostgresStore(
            DataSource,
            fence ?? new PairFence(DataSource, "silo-a"),
            Options.Create(options),
            time ?? TimeProvider.System,
            NullLogger<PostgresStore>.Instance);
    }

    /// <summary>The pair's fence key (its row in <c>partition_owners</c>); the pair must have been claimed.</summary>
    public Task<int> FenceKeyOfAsync(InstrumentKey instrument) =>
        ScalarAsync<int>("SELECT fence_key FROM pair_fence_keys WHERE pair_name = $1", instrument.Value);

    public async Task<T> ScalarAsync<T>(string sql, params object[] arguments)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var argument in arguments)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = argument });
        }

        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
