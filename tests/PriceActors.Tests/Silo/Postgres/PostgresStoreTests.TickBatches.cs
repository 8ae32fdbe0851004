using Microsoft.Extensions.Logging.Abstractions;
using PriceActors.Grains;
using PriceActors.Grains.Storage;
using PriceActors.Silo.Postgres;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Silo.Postgres;

/// <summary>Ticks stored as one tick_batches row per append (sql/003_tick_batches.sql), read through the ticks view.</summary>
public sealed partial class PostgresStoreTests
{
    [Fact]
    public async Task AppendTicksAsync_OneAppend_OneBatchRowWhoseViewRowsAreExact()
    {
        var instrument = InstrumentKey.Parse("batch:EXACT");
        await using var store = await OwnerAsync(instrument);
        var start = Today.AddHours(12).AddTicks(7654321);
        SequencedTick[] ticks =
        [
            new(1, new Tick(instrument, 0.00000001m, 12345678.12345678m, 500, start, start.AddTicks(3))),
            new(2, new Tick(instrument, 79228162514264.337593543950335m, 1.10m, 501, start.AddTicks(9), start.AddTicks(19))),
        ];

        await store.AppendTicksAsync(instrument, 5, ticks, CancellationToken.None);

        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM tick_batches WHERE symbol = 'EXACT'"));
        Assert.Equal(
            "1 500 5 0.00000001 12345678.12345678 1 | 2 501 5 79228162514264.337593543950335 1.10 0",
            await database.ScalarAsync<string>(
                "SELECT string_agg(concat_ws(' ', sequence, trade_id, epoch, price, quantity, exchange_time_100ns), ' | ' ORDER BY sequence) FROM ticks WHERE symbol = 'EXACT'"));
        Assert.Equal(
            2L,
            await database.ScalarAsync<long>(
                "SELECT count(*) FROM ticks WHERE symbol = 'EXACT' AND exchange_time = ANY($1) AND receive_time = ANY($2)",
                ticks.Select(t => TickTime.Microseconds(t.Tick.ExchangeTime)).ToArray(),
                ticks.Select(t => TickTime.Microseconds(t.Tick.ReceiveTime)).ToArray()));
        Assert.Equal(ticks, (await store.LoadAsync(instrument, start, CancellationToken.None))!.Ticks);
    }

    [Fact]
    public async Task AppendTicksAsync_AppendRedeliveredWholeAndOverlapping_EachTickStoredOnce()
    {
        var instrument = InstrumentKey.Parse("batch:REDELIVERED");
        await using var store = await OwnerAsync(instrument);
        var ticks = Ticks(instrument, Today.AddHours(13), 1, 30);

        await store.AppendTicksAsync(instrument, 3, ticks[..10], CancellationToken.None);
        await store.AppendTicksAsync(instrument, 3, ticks[..10], CancellationToken.None);
        await store.AppendTicksAsync(instrument, 3, ticks[5..20], CancellationToken.None);
        await Task.WhenAll(
            store.AppendTicksAsync(instrument, 3, ticks[15..], CancellationToken.None).AsTask(),
            store.AppendTicksAsync(instrument, 3, ticks[..], CancellationToken.None).AsTask());

        Assert.Equal(ticks, (await store.LoadAsync(instrument, Today, CancellationToken.None))!.Ticks);
        Assert.Equal(30L, await database.ScalarAsync<long>("SELECT count(DISTINCT sequence) FROM ticks WHERE symbol = 'REDELIVERED' AND exchange = 'batch'"));
        Assert.Equal(30L, await database.ScalarAsync<long>("SELECT count(*) FROM ticks WHERE symbol = 'REDELIVERED' AND exchange = 'batch'"));
        Assert.Equal(3L, await database.ScalarAsync<long>("SELECT count(*) FROM tick_batches WHERE symbol = 'REDELIVERED' AND exchange = 'batch'"));
    }

    [Fact]
    public async Task EnforceRetentionAsync_OldDay_DropsTheBatchPartitionWhole()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2034, 1, 20, 12, 0, 0, TimeSpan.Zero));
        var instrument = InstrumentKey.Parse("batch:RETENTION");
        await using var store = await OwnerAsync(instrument, o => o.TickRetention = 3, clock);
        await database.ExecuteAsync("SELECT ensure_tick_partitions('2034-01-05', '2034-01-05')");
        await store.AppendTicksAsync(instrument, 1, Ticks(instrument, new DateTimeOffset(2034, 1, 5, 10, 0, 0, TimeSpan.Zero), 1, 40), CancellationToken.None);
        var stored = await database.ScalarAsync<long>("SELECT count(*) FROM ticks_20340105");
        var parent = await database.ScalarAsync<string>("SELECT inhparent::regclass::text FROM pg_inherits WHERE inhrelid = 'ticks_20340105'::regclass");

        await store.EnforceRetentionAsync(CancellationToken.None);

        Assert.Equal((1L, "tick_batches"), (stored, parent));
        Assert.False(await PartitionExistsAsync("ticks_20340105"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM ticks WHERE symbol = 'RETENTION'"));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseAtVersionTwoWithTicks_OldTicksStayReadableAndNewOnesFollow()
    {
        await using var old = await DatabaseAtVersionAsync(2);

        var instrument = InstrumentKey.Parse("upgrade:OLD");
        var day = Today.AddHours(1);
        var ticks = Ticks(instrument, day, 1, 6);
        await old.ExecuteAsync($"""
            INSERT INTO ticks SELECT 'upgrade', 'OLD', 999 + g, g - 1, 4, 100 + (g - 2) * 0.01, 0.5 + g - 2,
                   '{TickTime.Microseconds(day):O}'::timestamptz + (g - 2) * interval '1 ms',
                   '{TickTime.Microseconds(day):O}'::timestamptz + (g - 1) * interval '1 ms', 0, 0
            FROM generate_series(2, 4) g
            """);
        await old.ExecuteAsync("INSERT INTO ticks VALUES ('upgrade', 'OLD', 999, 0, 4, 1, 1, '2001-01-01', '2001-01-01', 0, 0)");
        await old.ExecuteAsync($"""
            INSERT INTO pair_state (exchange, symbol, epoch, last_sequence, last_trade_id, last_price, last_quantity, last_exchange_time, last_receive_time)
            SELECT exchange, symbol, epoch, sequence, trade_id, price, quantity, exchange_time, receive_time FROM ticks WHERE sequence = 3
            """);

        var (applied, store) = await MigrateAndOwnAsync(old, instrument);
        await using var _s = store;
        await store.AppendTicksAsync(instrument, 4, ticks, CancellationToken.None); // 1-3 were stored by version 2

        Assert.Equal(SchemaMigrator.Migrations.Count - 2, applied); // 3 onwards
        Assert.Equal(ticks[..3], (await store.LoadAsync(instrument, day, CancellationToken.None))!.Ticks.Take(3));
        Assert.Equal(ticks, (await store.LoadAsync(instrument, day, CancellationToken.None))!.Ticks);
        Assert.Equal(7L, await old.ScalarAsync<long>("SELECT count(*) FROM ticks WHERE symbol = 'OLD'"));
        Assert.Equal("ticks_rows", await old.ScalarAsync<string>("SELECT inhparent::regclass::text FROM pg_inherits WHERE inhrelid = 'ticks_rows_default'::regclass"));
        Assert.Equal(1L, await old.ScalarAsync<long>("SELECT count(*) FROM ticks_rows_default"));
    }

    [Fact]
    public async Task MigrateAsync_DatabaseAtVersionFourWithArrayRows_OldRowsStayReadableAndNewOnesArePacked()
    {
        await using var old = await DatabaseAtVersionAsync(4);

        var instrument = InstrumentKey.Parse("upgrade:ARRAYS");
        var day = Today.AddHours(2);
        var ticks = Ticks(instrument, day, 1, 12);
        await using (var connection = await old.DataSource.OpenConnectionAsync())
        {
            // What a release before version 5 wrote, then its position.
            await TickFlushCommands.CopyBatchesAsync(connection, new TickBatchCopyEncoder(TickRowLayout.Arrays), [(new TickAppend(instrument, 2, 0, 1, ticks[..5]), ticks[..5])]);
            await TickFlushCommands.UpsertPairStateAsync(connection, [new TickAppend(instrument, 2, 0, 1, ticks[..5])]);
        }

        var (applied, store) = await MigrateAndOwnAsync(old, instrument);
        await using var _s = store;
        await store.AppendTicksAsync(instrument, 2, ticks, CancellationToken.None); // 1-5 were stored as arrays

        Assert.Equal(SchemaMigrator.Migrations.Count - 4, applied);
        Assert.Equal(ticks, (await store.LoadAsync(instrument, day, CancellationToken.None))!.Ticks);
        Assert.Equal(ticks[6..], (await store.LoadAsync(instrument, ticks[6].Tick.ExchangeTime, CancellationToken.None))!.Ticks);
        Assert.Equal(
            "1 arrays | 6 packed",
            await old.ScalarAsync<string>("SELECT string_agg(first_sequence || CASE WHEN packed IS NULL THEN ' arrays' ELSE ' packed' END, ' | ' ORDER BY first_sequence) FROM tick_batches"));
        Assert.Equal(
            string.Join(" ", ticks.Select(t => $"{t.Sequence}:{t.Tick.TradeId}:{t.Tick.Price}")),
            await old.ScalarAsync<string>("SELECT string_agg(sequence || ':' || trade_id || ':' || price, ' ' ORDER BY sequence) FROM ticks WHERE symbol = 'ARRAYS'"));
    }

    [Fact]
    public async Task AppendTicksAsync_ArraysLayoutConfigured_RowsAsArraysThatLoadReads()
    {
        var instrument = InstrumentKey.Parse("batch:ASARRAYS");
        await using var store = await OwnerAsync(instrument, o => o.TickRowLayout = TickRowLayout.Arrays);
        var ticks = Ticks(instrument, Today.AddHours(14), 1, 8);

        await store.AppendTicksAsync(instrument, 7, ticks, CancellationToken.None);

        Assert.Equal(
            (1L, 8),
            (await database.ScalarAsync<long>("SELECT count(*) FROM tick_batches WHERE symbol = 'ASARRAYS' AND packed IS NULL"),
             await database.ScalarAsync<int>("SELECT cardinality(sequences) FROM tick_batches WHERE symbol = 'ASARRAYS'")));
        Assert.Equal(ticks, (await store.LoadAsync(instrument, Today, CancellationToken.None))!.Ticks);
    }

    [Fact]
    public async Task LoadAsync_PackedRowCorrupted_ThrowsNamingTheRow()
    {
        var instrument = InstrumentKey.Parse("batch:CORRUPT");
        await using var store = await OwnerAsync(instrument);
        await store.AppendTicksAsync(instrument, 6, Ticks(instrument, Today.AddHours(15), 41, 5), CancellationToken.None);
        await database.ExecuteAsync("UPDATE tick_batches SET packed = set_byte(packed, 3, 9) WHERE symbol = 'CORRUPT'");

        var error = await Assert.ThrowsAsync<InvalidDataException>(async () => await store.LoadAsync(instrument, Today, CancellationToken.None));

        Assert.Equal("tick_batches row of batch:CORRUPT (epoch 6, first sequence 41) cannot be read: Packed ticks: column 0 has width 9.", error.Message);
    }

    private static async Task<PostgresDatabase> DatabaseAtVersionAsync(int last)
    {
        var database = await PostgresDatabase.CreateAsync(migrate: false);
        foreach (var (version, name, sql) in SchemaMigrator.Migrations.Where(m => m.Version <= last))
        {
            await database.ExecuteAsync(sql);
            await database.ExecuteAsync($"INSERT INTO schema_migrations (version, name) VALUES ({version}, '{name}')");
        }

        return database;
    }

    // Applies the rest of the schema, then a store that claimed the instrument's pair.
    private static async Task<(int Applied, PostgresStore Store)> MigrateAndOwnAsync(PostgresDatabase database, InstrumentKey instrument)
    {
        var applied = await new SchemaMigrator(database.DataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);
        var store = database.CreateStore();
        await store.ClaimAsync(instrument, CancellationToken.None);
        return (applied, store);
    }
}
