using Npgsql;
using PriceActors.Grains;
using PriceActors.Grains.Storage;

namespace PriceActors.Silo.Postgres;

/// <summary>The statements of one group-commit flush (see <see cref="GroupCommitWriter"/>), all on the flush's connection and transaction.</summary>
internal static class TickFlushCommands
{
    // The fence rows of the flush's pairs (partition_owners is keyed by the column "partition": a pair's fence key).
    private const string OwnersSql = "SELECT partition, owner_epoch FROM partition_owners WHERE partition = ANY($1) ORDER BY partition FOR SHARE";

    // Where the instruments of the flush stand: ticks at or before it are durable already (see TrimDurable).
    private const string PositionsSql = """
        SELECT s.exchange, s.symbol, s.epoch, s.last_sequence
        FROM pair_state s JOIN unnest($1::text[], $2::text[]) AS k(exchange, symbol) ON s.exchange = k.exchange AND s.symbol = k.symbol
        """;

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

    /// <summary>
    /// One round trip: the owner epochs of the batch's pairs by fence key, share-locked (the fence check), and the
    /// stored positions (epoch, last sequence) of its instruments.
    /// </summary>
    public static async Task<(Dictionary<int, long> Owners, Dictionary<InstrumentKey, (long Epoch, long Sequence)> Positions)> ReadOwnersAndPositionsAsync(
        NpgsqlConnection db, List<TickAppend> batch)
    {
        await using var command = new NpgsqlBatch(db);
        var owners = new NpgsqlBatchCommand(OwnersSql);
        owners.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. batch.Select(a => a.FenceKey).Distinct()] });
        var instruments = batch.Select(a => a.Instrument).Distinct().ToArray();
        var positions = new NpgsqlBatchCommand(PositionsSql);
        positions.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. instruments.Select(i => i.Exchange)] });
        positions.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. instruments.Select(i => i.Symbol)] });
        command.BatchCommands.Add(owners);
        command.BatchCommands.Add(positions);

        // Prepared once per connection (Npgsql keeps a connection's prepared statements): the server stops parsing
        // and planning the flush's statements each time: a tenth of its CPU at 100k ticks/s (bench/README.md).
        await command.PrepareAsync();
        await using var reader = await command.ExecuteReaderAsync();
        var epochs = new Dictionary<int, long>();
        while (await reader.ReadAsync())
        {
            epochs[reader.GetInt32(0)] = reader.GetInt64(1);
        }

        await reader.NextResultAsync();
        var stored = new Dictionary<InstrumentKey, (long, long)>(instruments.Length);
        while (await reader.ReadAsync())
        {
            stored[InstrumentKey.Create(reader.GetString(0), reader.GetString(1))] = (reader.GetInt64(2), reader.GetInt64(3));
        }

        return (epochs, stored);
    }

    /// <summary>
    /// The ticks of each append not durable yet, in append order: those after the instrument's stored
    /// position and after the appends before it in this flush. Exact because an instrument's appends
    /// commit in order (one writer, FIFO) and pair_state is written in the same transaction as its ticks,
    /// so every tick at or before the stored (epoch, sequence) is durable; a redelivered append, whole or
    /// overlapping, loses the ticks already stored and a batch row never repeats a tick.
    /// REVIEW: this relies on an instrument's appends carrying increasing sequences in queue order, as a
    /// <c>PairGrain</c> does (it awaits each append and ends its activation when one fails). Two appends of
    /// one instrument racing into the queue with disjoint ranges, the later range first, would lose the earlier
    /// range; the version-2 per-tick key stored both.
    /// </summary>
    public static List<(TickAppend Append, ReadOnlyMemory<SequencedTick> Ticks)> TrimDurable(List<TickAppend> appends, Dictionary<InstrumentKey, (long Epoch, long Sequence)> positions)
    {
        var rows = new List<(TickAppend, ReadOnlyMemory<SequencedTick>)>(appends.Count);
        foreach (var append in appends)
        {
            var ticks = append.Ticks;
            if (positions.TryGetValue(append.Instrument, out var stored) && (append.Epoch, ticks.Span[0].Sequence).CompareTo(stored) <= 0)
            {
                ticks = ticks.ToArray().Where(t => (append.Epoch, t.Sequence).CompareTo(stored) > 0).ToArray();
            }

            if (ticks.IsEmpty)
            {
                continue;
            }

            var newest = long.MinValue;
            foreach (var tick in ticks.Span)
            {
                newest = Math.Max(newest, tick.Sequence);
            }

            var last = (append.Epoch, newest);
            if (!positions.TryGetValue(append.Instrument, out stored) || last.CompareTo(stored) > 0)
            {
                positions[append.Instrument] = last;
            }

            rows.Add((append, ticks));
        }

        return rows;
    }

    /// <summary>
    /// Binary COPY of the rows (one per append, or several for a long one: <see cref="TickBatchCopyEncoder"/>): one row
    /// header and one key entry per append, not per tick;
    /// returns the ticks written. Nothing to write costs no round trip.
    /// </summary>
    public static async Task<long> CopyBatchesAsync(NpgsqlConnection db, TickBatchCopyEncoder encoder, List<(TickAppend Append, ReadOnlyMemory<SequencedTick> Ticks)> rows)
    {
        if (rows.Count == 0)
        {
            return 0;
        }

        var payload = encoder.Encode(rows, out var written);
        await using (var copy = await db.BeginRawBinaryCopyAsync(encoder.CopySql))
        {
            await copy.WriteAsync(payload);
        }

        encoder.Trim();
        return written;
    }

    public static async Task UpsertPairStateAsync(NpgsqlConnection db, List<TickAppend> appends)
    {
        // Sized for one append per instrument (the usual case): grown from empty, it and its copy were 8 % of the silo's allocations at 100k.
        var last = new Dictionary<InstrumentKey, (long Epoch, SequencedTick Tick)>(appends.Count);
        foreach (var append in appends)
        {
            var tick = append.Ticks.Span[^1];
            if (!last.TryGetValue(append.Instrument, out var known) || (append.Epoch, tick.Sequence).CompareTo((known.Epoch, known.Tick.Sequence)) > 0)
            {
                last[append.Instrument] = (append.Epoch, tick);
            }
        }

        await using var command = new NpgsqlCommand(UpsertPairStateSql, db);
        Add(r => r.Key.Exchange);
        Add(r => r.Key.Symbol);
        Add(r => r.Value.Epoch);
        Add(r => r.Value.Tick.Sequence);
        Add(r => r.Value.Tick.Tick.TradeId);
        Add(r => r.Value.Tick.Tick.Price);
        Add(r => r.Value.Tick.Tick.Quantity);
        Add(r => TickTime.Microseconds(r.Value.Tick.Tick.ExchangeTime));
        Add(r => TickTime.Microseconds(r.Value.Tick.Tick.ReceiveTime));
        Add(r => TickTime.Remainder(r.Value.Tick.Tick.ExchangeTime));
        Add(r => TickTime.Remainder(r.Value.Tick.Tick.ReceiveTime));
        await command.PrepareAsync();
        await command.ExecuteNonQueryAsync();

        // One array per column, filled in the dictionary's order (the same for every column).
        void Add<T>(Func<KeyValuePair<InstrumentKey, (long Epoch, SequencedTick Tick)>, T> column)
        {
            var values = new T[last.Count];
            var i = 0;
            foreach (var row in last)
            {
                values[i++] = column(row);
            }

            command.Parameters.Add(new NpgsqlParameter<T[]> { TypedValue = values });
        }
    }
}
