using Npgsql;
using PriceActors.Grains;
using PriceActors.Grains.Storage;

namespace PriceActors.Silo.Postgres;

/// <summary>Reads what a new activation of a pair needs: its position, its ticks and bars since a time.</summary>
internal static class PairHistoryReader
{
    private const string StateSql = """
        SELECT epoch, last_sequence, last_trade_id, last_price, last_quantity,
               last_exchange_time, last_receive_time, last_exchange_time_100ns, last_receive_time_100ns
        FROM pair_state WHERE exchange = $1 AND symbol = $2
        """;

    // The bound is truncated to microseconds like the stored times; ticks just before the exact bound are dropped below.
    // Batches holding a tick at or after the bound are those whose newest tick is: a range of tick_batches' key.
    // Packed rows (sql/005_packed_ticks.sql) are decoded here, not by the server.
    // Only the pair's current epoch (pair_state's; any while it has none): what an earlier feed mode stored stays apart.
    private const string StateEpoch = "(SELECT s.epoch FROM pair_state s WHERE s.exchange = $1 AND s.symbol = $2)";

    private const string PackedSql = $"""
        SELECT epoch, first_sequence, packed FROM tick_batches
        WHERE exchange = $1 AND symbol = $2 AND last_exchange_time >= $3 AND packed IS NOT NULL AND epoch = COALESCE({StateEpoch}, epoch)
        """;

    // Rows as arrays, and ticks_rows, which holds what version 2 of the schema wrote (sql/003_tick_batches.sql).
    private const string TicksSql = $"""
        SELECT t.sequence, t.trade_id, t.price, t.quantity, t.exchange_time, t.receive_time, t.exchange_time_100ns, t.receive_time_100ns
        FROM tick_batches b
        CROSS JOIN LATERAL unnest(b.sequences, b.trade_ids, b.prices, b.quantities, b.exchange_times, b.receive_times,
                                  b.exchange_times_100ns, b.receive_times_100ns)
            AS t(sequence, trade_id, price, quantity, exchange_time, receive_time, exchange_time_100ns, receive_time_100ns)
        WHERE b.exchange = $1 AND b.symbol = $2 AND b.last_exchange_time >= $3 AND b.packed IS NULL AND t.exchange_time >= $3
          AND b.epoch = COALESCE({StateEpoch}, b.epoch)
        UNION ALL
        SELECT sequence, trade_id, price, quantity, exchange_time, receive_time, exchange_time_100ns, receive_time_100ns
        FROM ticks_rows WHERE exchange = $1 AND symbol = $2 AND exchange_time >= $3 AND epoch = COALESCE({StateEpoch}, epoch)
        """;

    private const string BarsSql = $"""
        SELECT "timestamp", open_price, max_price, min_price, close_price, average_price, vwap,
               trade_count, volume, last_sequence, closed
        FROM minute_bars WHERE exchange = $1 AND pair_name = $2 AND "timestamp" >= $3 AND epoch = COALESCE({StateEpoch}, epoch)
        ORDER BY "timestamp"
        """;

    private const string BarRangeSql = """
        SELECT "timestamp", open_price, max_price, min_price, close_price, average_price, vwap,
               trade_count, volume, last_sequence, closed
        FROM minute_bars WHERE exchange = $1 AND pair_name = $2 AND epoch = $3 AND "timestamp" >= $4 AND "timestamp" < $5
        ORDER BY "timestamp" LIMIT $6
        """;

    // A row holds at least one tick at or after its last_exchange_time bound, so `limit` rows hold `limit` such ticks.
    private const string TickRangeSql = """
        SELECT epoch, first_sequence, packed FROM tick_batches
        WHERE exchange = $1 AND symbol = $2 AND epoch = $3 AND last_exchange_time >= $4 AND packed IS NOT NULL
        ORDER BY last_exchange_time, first_sequence LIMIT $5
        """;

    private const string TickArrayRangeSql = """
        SELECT t.sequence, t.trade_id, t.price, t.quantity, t.exchange_time, t.receive_time, t.exchange_time_100ns, t.receive_time_100ns
        FROM tick_batches b
        CROSS JOIN LATERAL unnest(b.sequences, b.trade_ids, b.prices, b.quantities, b.exchange_times, b.receive_times,
                                  b.exchange_times_100ns, b.receive_times_100ns)
            AS t(sequence, trade_id, price, quantity, exchange_time, receive_time, exchange_time_100ns, receive_time_100ns)
        WHERE b.exchange = $1 AND b.symbol = $2 AND b.epoch = $3 AND b.last_exchange_time >= $4 AND b.packed IS NULL AND t.exchange_time >= $4
        ORDER BY t.sequence LIMIT $5
        """;

    /// <summary>The stored trades of one epoch from <paramref name="since"/> on, in sequence order, at most <paramref name="limit"/>.</summary>
    public static async ValueTask<IReadOnlyList<SequencedTick>> ReadTicksAsync(
        NpgsqlDataSource dataSource, InstrumentKey instrument, long epoch, DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        foreach (var sql in (ReadOnlySpan<string>)[TickRangeSql, TickArrayRangeSql])
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instrument.Exchange });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instrument.Symbol });
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = epoch });
            command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = TickTime.Microseconds(since) });
            command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
            batch.BatchCommands.Add(command);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var ticks = new List<SequencedTick>();
        while (await reader.ReadAsync(cancellationToken))
        {
            ticks.AddRange(ReadPacked(reader, instrument).Where(t => t.Tick.ExchangeTime >= since));
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            ticks.Add(new SequencedTick(reader.GetInt64(0), ReadTick(reader, instrument, tradeIdColumn: 1)));
        }

        ticks.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
        return ticks.Count > limit ? ticks.GetRange(0, limit) : ticks;
    }

    /// <summary>The bars of one epoch with a minute in <c>[from, to)</c>, oldest first, at most <paramref name="limit"/>.</summary>
    public static async ValueTask<IReadOnlyList<MinuteBar>> ReadBarsAsync(
        NpgsqlDataSource dataSource, InstrumentKey instrument, long epoch, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(BarRangeSql);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instrument.Exchange });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instrument.Symbol });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = epoch });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = TickTime.Microseconds(from) });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = TickTime.Microseconds(to) });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await ReadBarRowsAsync(reader, instrument, cancellationToken);
    }

    public static async Task<PairHistory?> ReadAsync(NpgsqlDataSource dataSource, InstrumentKey instrument, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        foreach (var sql in (ReadOnlySpan<string>)[StateSql, PackedSql, TicksSql, BarsSql])
        {
            var command = new NpgsqlBatchCommand(sql);
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instrument.Exchange });
            command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instrument.Symbol });
            if (!ReferenceEquals(sql, StateSql))
            {
                command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = TickTime.Microseconds(since) });
            }

            batch.BatchCommands.Add(command);
        }

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        (long Epoch, long Sequence, long TradeId, SequencedTick Last)? state = null;
        if (await reader.ReadAsync(cancellationToken))
        {
            var last = ReadTick(reader, instrument, tradeIdColumn: 2);
            state = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), new SequencedTick(reader.GetInt64(1), last));
        }

        await reader.NextResultAsync(cancellationToken);
        var ticks = new List<SequencedTick>();
        while (await reader.ReadAsync(cancellationToken))
        {
            foreach (var tick in ReadPacked(reader, instrument))
            {
                if (tick.Tick.ExchangeTime >= since)
                {
                    ticks.Add(tick);
                }
            }
        }

        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var tick = ReadTick(reader, instrument, tradeIdColumn: 1);
            if (tick.ExchangeTime >= since)
            {
                ticks.Add(new SequencedTick(reader.GetInt64(0), tick));
            }
        }

        ticks.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));

        await reader.NextResultAsync(cancellationToken);
        var bars = await ReadBarRowsAsync(reader, instrument, cancellationToken);

        if (state is null && ticks.Count == 0 && bars.Count == 0)
        {
            return null;
        }

        return state is { } s
            ? new PairHistory(s.Epoch, s.Sequence, s.TradeId, s.Last, ticks, bars)
            : new PairHistory(0, 0, 0, null, ticks, bars);
    }

    private static SequencedTick[] ReadPacked(NpgsqlDataReader reader, InstrumentKey instrument)
    {
        try
        {
            return PackedTicks.Read(reader.GetFieldValue<byte[]>(2), instrument);
        }
        catch (FormatException error)
        {
            // The pair cannot rebuild its window without the row: refuse the activation, naming the row.
            throw new InvalidDataException(
                $"tick_batches row of {instrument} (epoch {reader.GetInt64(0)}, first sequence {reader.GetInt64(1)}) cannot be read: {error.Message}", error);
        }
    }

    /// <summary>Both queries select trade_id, price, quantity, the two times, then their two 100-ns parts, in that order.</summary>
    private static Tick ReadTick(NpgsqlDataReader reader, InstrumentKey instrument, int tradeIdColumn) => new(
        instrument,
        reader.GetDecimal(tradeIdColumn + 1),
        reader.GetDecimal(tradeIdColumn + 2),
        reader.GetInt64(tradeIdColumn),
        TickTime.Join(reader.GetDateTime(tradeIdColumn + 3), reader.GetInt16(tradeIdColumn + 5)),
        TickTime.Join(reader.GetDateTime(tradeIdColumn + 4), reader.GetInt16(tradeIdColumn + 6)));

    /// <summary>The rows of a bar query (the columns of <see cref="BarsSql"/>) as bars.</summary>
    private static async Task<List<MinuteBar>> ReadBarRowsAsync(NpgsqlDataReader reader, InstrumentKey instrument, CancellationToken cancellationToken)
    {
        var bars = new List<MinuteBar>();
        while (await reader.ReadAsync(cancellationToken))
        {
            bars.Add(new MinuteBar(
                instrument.Exchange,
                instrument.Symbol,
                new DateTimeOffset(reader.GetDateTime(0), TimeSpan.Zero),
                reader.GetDecimal(1),
                reader.GetDecimal(2),
                reader.GetDecimal(3),
                reader.GetDecimal(4),
                reader.GetDecimal(5),
                reader.GetDecimal(6),
                reader.GetInt64(7),
                reader.GetDecimal(8),
                reader.GetInt64(9),
                reader.GetBoolean(10)));
        }

        return bars;
    }
}
