using Npgsql;
using NpgsqlTypes;
using PriceActors.Grains;
using PriceActors.Grains.Storage;

namespace PriceActors.Silo.Postgres;

/// <summary>The statements of one group-commit flush (see <see cref="GroupCommitWriter"/>), all on the flush's connection and transaction.</summary>
internal static class TickFlushCommands
{
    private const string Columns = "exchange, symbol, trade_id, sequence, epoch, price, quantity, exchange_time, receive_time, exchange_time_100ns, receive_time_100ns";

    private const string CreateStagingSql = $"""
        CREATE TEMP TABLE IF NOT EXISTS tick_staging (
            exchange text, symbol text, trade_id bigint, sequence bigint, epoch bigint, price numeric, quantity numeric,
            exchange_time timestamptz, receive_time timestamptz, exchange_time_100ns smallint, receive_time_100ns smallint
        ) ON COMMIT DELETE ROWS
        """;

    private const string OwnersSql = "SELECT partition, owner_epoch FROM partition_owners WHERE partition = ANY($1) ORDER BY partition FOR SHARE";

    // COPY batches its inserts (INSERT ... SELECT goes row by row), so ticks go straight into the table;
    // only when that hits a duplicate (a redelivery: rare, since actors drop what they already have)
    // does the flush go through the staging table and ON CONFLICT DO NOTHING.
    private const string CopyDirectSql = $"COPY ticks ({Columns}) FROM STDIN (FORMAT BINARY)";

    private const string CopyStagingSql = $"COPY tick_staging ({Columns}) FROM STDIN (FORMAT BINARY)";

    private const string InsertTicksSql = $"INSERT INTO ticks ({Columns}) SELECT {Columns} FROM tick_staging ON CONFLICT DO NOTHING";

    // One row per instrument, its last tick of this flush, sent as arrays (cheaper than sorting the staged
    // ticks). Never moves a position back: a late flush of older ticks leaves the newer position.
    private const string UpsertPairStateSql = """
        INSERT INTO pair_state (exchange, symbol, epoch, last_sequence, last_trade_id, last_price, last_quantity,
                                last_exchange_time, last_receive_time, last_exchange_time_100ns, last_receive_time_100ns, updated_at)
        SELECT *, now() FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::numeric[],
                                    $7::numeric[], $8::timestamptz[], $9::timestamptz[], $10::smallint[], $11::smallint[])
        ON CONFLICT (exchange, symbol) DO UPDATE SET
            epoch = excluded.epoch, last_sequence = excluded.last_sequence, last_trade_id = excluded.last_trade_id,
            last_price = excluded.last_price, last_quantity = excluded.last_quantity,
            last_exchange_time = excluded.last_exchange_time, last_receive_time = excluded.last_receive_time,
            last_exchange_time_100ns = excluded.last_exchange_time_100ns, last_receive_time_100ns = excluded.last_receive_time_100ns,
            updated_at = excluded.updated_at
        WHERE (excluded.epoch, excluded.last_sequence) >= (pair_state.epoch, pair_state.last_sequence)
        """;

    public static async Task<Dictionary<int, long>> ReadOwnersAsync(NpgsqlConnection db, List<TickAppend> batch)
    {
        await using var command = new NpgsqlCommand(OwnersSql, db);
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. batch.Select(a => a.Partition).Distinct()] });
        await using var reader = await command.ExecuteReaderAsync();
        var owners = new Dictionary<int, long>();
        while (await reader.ReadAsync())
        {
            owners[reader.GetInt32(0)] = reader.GetInt64(1);
        }

        return owners;
    }

    public static async Task<(long Accepted, long Inserted)> InsertTicksAsync(NpgsqlConnection db, List<TickAppend> appends)
    {
        await ExecuteAsync(db, "SAVEPOINT direct_copy");
        try
        {
            var copied = await CopyAsync(db, appends, CopyDirectSql);
            await ExecuteAsync(db, "RELEASE SAVEPOINT direct_copy");
            return (copied, copied);
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await ExecuteAsync(db, "ROLLBACK TO SAVEPOINT direct_copy");
        }

        var staged = await CopyAsync(db, appends, CopyStagingSql);
        return (staged, await ExecuteAsync(db, InsertTicksSql));
    }

    private static async Task<long> CopyAsync(NpgsqlConnection db, List<TickAppend> appends, string copySql)
    {
        await using var importer = await db.BeginBinaryImportAsync(copySql);
        foreach (var append in appends)
        {
            var exchange = append.Instrument.Exchange;
            var symbol = append.Instrument.Symbol;
            foreach (var (sequence, tick) in append.Ticks)
            {
                // The synchronous writes only fill the importer's buffer (it goes to the socket when full);
                // that saves eleven awaits per row on the flush path.
                importer.StartRow();
                importer.Write(exchange, NpgsqlDbType.Text);
                importer.Write(symbol, NpgsqlDbType.Text);
                importer.Write(tick.TradeId, NpgsqlDbType.Bigint);
                importer.Write(sequence, NpgsqlDbType.Bigint);
                importer.Write(append.Epoch, NpgsqlDbType.Bigint);
                importer.Write(tick.Price, NpgsqlDbType.Numeric);
                importer.Write(tick.Quantity, NpgsqlDbType.Numeric);
                importer.Write(TickTime.Microseconds(tick.ExchangeTime), NpgsqlDbType.TimestampTz);
                importer.Write(TickTime.Microseconds(tick.ReceiveTime), NpgsqlDbType.TimestampTz);
                importer.Write(TickTime.Remainder(tick.ExchangeTime), NpgsqlDbType.Smallint);
                importer.Write(TickTime.Remainder(tick.ReceiveTime), NpgsqlDbType.Smallint);
            }
        }

        return (long)await importer.CompleteAsync();
    }

    public static async Task UpsertPairStateAsync(NpgsqlConnection db, List<TickAppend> appends)
    {
        var last = new Dictionary<InstrumentKey, (long Epoch, SequencedTick Tick)>();
        foreach (var append in appends)
        {
            var tick = append.Ticks[^1];
            if (!last.TryGetValue(append.Instrument, out var known) || (append.Epoch, tick.Sequence).CompareTo((known.Epoch, known.Tick.Sequence)) > 0)
            {
                last[append.Instrument] = (append.Epoch, tick);
            }
        }

        await using var command = new NpgsqlCommand(UpsertPairStateSql, db);
        var rows = last.ToArray();
        Add(rows.Select(r => r.Key.Exchange));
        Add(rows.Select(r => r.Key.Symbol));
        Add(rows.Select(r => r.Value.Epoch));
        Add(rows.Select(r => r.Value.Tick.Sequence));
        Add(rows.Select(r => r.Value.Tick.Tick.TradeId));
        Add(rows.Select(r => r.Value.Tick.Tick.Price));
        Add(rows.Select(r => r.Value.Tick.Tick.Quantity));
        Add(rows.Select(r => TickTime.Microseconds(r.Value.Tick.Tick.ExchangeTime)));
        Add(rows.Select(r => TickTime.Microseconds(r.Value.Tick.Tick.ReceiveTime)));
        Add(rows.Select(r => TickTime.Remainder(r.Value.Tick.Tick.ExchangeTime)));
        Add(rows.Select(r => TickTime.Remainder(r.Value.Tick.Tick.ReceiveTime)));
        await command.ExecuteNonQueryAsync();

        void Add<T>(IEnumerable<T> values) => command.Parameters.Add(new NpgsqlParameter<T[]> { TypedValue = [.. values] });
    }

    public static Task CreateStagingAsync(NpgsqlConnection db) => ExecuteAsync(db, CreateStagingSql);

    private static async Task<int> ExecuteAsync(NpgsqlConnection db, string sql)
    {
        await using var command = new NpgsqlCommand(sql, db);
        return await command.ExecuteNonQueryAsync();
    }
}
