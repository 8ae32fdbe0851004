using Npgsql;
using PriceActors.Grains;
using PriceActors.Grains.Storage;
using PriceActors.Silo.Postgres;

namespace PriceActors.Tests.Silo.Postgres;

/// <summary>
/// The hand-written binary COPY of tick_batches in both layouts, read back by the real server (the ticks view, whose
/// packed rows sql/005's unpack_ticks decodes) and compared with Npgsql's own encoding and with what went in.
/// </summary>
public sealed class TickBatchCopyEncoderTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly DateTimeOffset Noon = new(2031, 3, 4, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(TickRowLayout.Packed)]
    [InlineData(TickRowLayout.Arrays)]
    public async Task Encode_EveryKindOfDecimal_ServerReadsWhatNpgsqlWouldHaveSent(TickRowLayout layout)
    {
        decimal[] prices =
        [
            0m, 0.000m, -0m, 1m, 1.00m, -1.5m, 0.0001m, 0.00001m, 10000m, 100000000m, 123456.7890m, 12345678.12345678m,
            0.0000000000000000000000000001m, -0.0000000000000000000000000001m, decimal.MaxValue, decimal.MinValue,
            7922816251426433759354395.0335m, 18446744073709551615m, 18446744073709551616m, 99999.99999m,
        ];
        var instrument = InstrumentKey.Create("copy", $"DECIMALS{layout}");
        var ticks = prices.Select((p, i) => new SequencedTick(i + 1, new Tick(instrument, p, -p, i, Noon, Noon))).ToArray();

        await CopyAsync(layout, new TickAppend(instrument, 1, 0, 1, ticks));

        var expected = await database.ScalarAsync<string[]>("SELECT array_agg(p::text ORDER BY n) FROM unnest($1::numeric[]) WITH ORDINALITY AS t(p, n)", prices);
        Assert.Equal(expected, await database.ScalarAsync<string[]>("SELECT array_agg(price::text ORDER BY sequence) FROM ticks WHERE symbol = $1", instrument.Symbol));
        Assert.Equal(
            prices.Select(p => (-p).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            (await database.ScalarAsync<decimal[]>("SELECT array_agg(quantity ORDER BY sequence) FROM ticks WHERE symbol = $1", instrument.Symbol))
                .Select(q => q.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        Assert.Equal(layout == TickRowLayout.Packed, await database.ScalarAsync<bool>("SELECT packed IS NOT NULL FROM tick_batches WHERE symbol = $1", instrument.Symbol));
    }

    [Fact]
    public async Task Encode_PackedNarrowAndWideColumnsInOneRow_ViewAndReaderReturnWhatWentIn()
    {
        var instrument = InstrumentKey.Create("copy", "EXTREMES");
        SequencedTick[] ticks =
        [
            new(1, new Tick(instrument, 1.5m, 0.00000001m, long.MinValue, DateTimeOffset.MinValue, DateTimeOffset.MinValue.AddTicks(7))),
            new(2, new Tick(instrument, -1.50m, 9_223_372_036_854_775_807m, long.MaxValue, DateTimeOffset.MaxValue.AddTicks(-3), DateTimeOffset.MaxValue)),
            new(long.MaxValue, new Tick(instrument, decimal.MaxValue, -9_223_372_036_854_775_807m, 0, Noon.AddTicks(1), Noon)),
            new(long.MaxValue - 1, new Tick(instrument, 0m, 0.000m, -1, Noon, Noon.AddTicks(-123_456_789))),
        ];

        await CopyAsync(TickRowLayout.Packed, new TickAppend(instrument, 4, 0, 1, ticks));

        await using var reader = await database.DataSource.CreateCommand("""
            SELECT sequence, trade_id, price, quantity, exchange_time, exchange_time_100ns, receive_time, receive_time_100ns
            FROM ticks WHERE symbol = 'EXTREMES'
            """).ExecuteReaderAsync();
        var stored = new List<SequencedTick>();
        while (await reader.ReadAsync())
        {
            stored.Add(new SequencedTick(reader.GetInt64(0), new Tick(
                instrument,
                reader.GetDecimal(2),
                reader.GetDecimal(3),
                reader.GetInt64(1),
                TickTime.Join(reader.GetDateTime(4), reader.GetInt16(5)),
                TickTime.Join(reader.GetDateTime(6), reader.GetInt16(7)))));
        }

        Assert.Equal(ticks, stored);
        Assert.Equal(ticks, PackedTicks.Read(await database.ScalarAsync<byte[]>("SELECT packed FROM tick_batches WHERE symbol = 'EXTREMES'"), instrument));
        Assert.Equal(
            ticks.Select(t => t.Tick.Price.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            await database.ScalarAsync<string[]>("SELECT array_agg(price::text) FROM ticks WHERE symbol = 'EXTREMES'"));
    }

    [Fact]
    public async Task Encode_PackedRealisticFeed_ServerDecodesEveryTickAndTheRowIsAQuarterOfTheArrays()
    {
        var packed = InstrumentKey.Create("copy", "FEEDPACKED");
        var arrays = InstrumentKey.Create("copy", "FEEDARRAYS");
        var ticks = PackedTicksTests.RealisticFeed(packed, 200, Noon, seed: 12);

        await CopyAsync(TickRowLayout.Packed, new TickAppend(packed, 5, 0, 1, ticks));
        await CopyAsync(TickRowLayout.Arrays, new TickAppend(arrays, 5, 0, 1, ticks.Select(t => t with { Tick = t.Tick with { Instrument = arrays } }).ToArray()));

        var viewOf = "SELECT string_agg(concat_ws(' ', sequence, trade_id, epoch, price, quantity, exchange_time, exchange_time_100ns, receive_time, receive_time_100ns), ' | ' ORDER BY sequence) FROM ticks WHERE symbol = $1";
        var expected = await database.ScalarAsync<string>(viewOf, arrays.Symbol);
        Assert.Equal(expected, await database.ScalarAsync<string>(viewOf, packed.Symbol));
        Assert.Contains("97", expected, StringComparison.Ordinal);
        var packedBytes = await database.ScalarAsync<int>("SELECT pg_column_size(packed) FROM tick_batches WHERE symbol = $1", packed.Symbol);
        var arrayBytes = await database.ScalarAsync<long>(
            """
            SELECT sum(pg_column_size(sequences) + pg_column_size(trade_ids) + pg_column_size(prices) + pg_column_size(quantities) + pg_column_size(exchange_times)
                       + pg_column_size(receive_times) + pg_column_size(exchange_times_100ns) + pg_column_size(receive_times_100ns))
            FROM tick_batches WHERE symbol = $1
            """,
            arrays.Symbol);
        Assert.InRange(packedBytes, 10 * ticks.Length, 20 * ticks.Length);
        Assert.True(packedBytes * 3 < arrayBytes, $"packed {packedBytes} bytes against {arrayBytes} as arrays");
    }

    [Theory]
    [InlineData(TickRowLayout.Packed)]
    [InlineData(TickRowLayout.Arrays)]
    public async Task Encode_TimesBeforeAndAfter2000_StoredToTheMicrosecondWithTheRemainderBeside(TickRowLayout layout)
    {
        var instrument = InstrumentKey.Create("copy", $"TIMES{layout}");
        DateTimeOffset[] times =
        [
            new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_999),
            new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1),
            Noon.AddTicks(1_234_567),
            new DateTimeOffset(2250, 6, 30, 1, 2, 3, TimeSpan.Zero).AddTicks(5),
        ];
        var ticks = times.Select((t, i) => new SequencedTick(i + 1, new Tick(instrument, 1m, 1m, i, t, t.AddTicks(3)))).ToArray();

        await CopyAsync(layout, new TickAppend(instrument, 2, 0, 1, ticks));

        await using var command = database.DataSource.CreateCommand(
            "SELECT exchange_time, exchange_time_100ns, receive_time, receive_time_100ns FROM ticks WHERE symbol = $1 ORDER BY sequence");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instrument.Symbol });
        await using var reader = await command.ExecuteReaderAsync();
        var stored = new List<(DateTimeOffset, DateTimeOffset)>();
        while (await reader.ReadAsync())
        {
            stored.Add((TickTime.Join(reader.GetDateTime(0), reader.GetInt16(1)), TickTime.Join(reader.GetDateTime(2), reader.GetInt16(3))));
        }

        Assert.Equal(times.Select(t => (t, t.AddTicks(3))), stored);
        Assert.Equal(
            TickTime.Microseconds(times.Max()),
            await database.ScalarAsync<DateTime>("SELECT last_exchange_time FROM tick_batches WHERE symbol = $1", instrument.Symbol));
    }

    [Theory]
    [InlineData(TickRowLayout.Packed)]
    [InlineData(TickRowLayout.Arrays)]
    public async Task Encode_AppendLongerThanARow_SplitIntoRowsThatStayInTheirPage(TickRowLayout layout)
    {
        var instrument = InstrumentKey.Create("copy", $"LONG{layout}");
        var rowTicks = new TickBatchCopyEncoder(layout).MaxTicksPerRow;
        var count = (2 * rowTicks) + 44;
        var ticks = Enumerable.Range(1, count)
            .Select(i => new SequencedTick(100 + i, new Tick(instrument, 65_000.123456m + i, 0.00012345m * i, 9_000 + i, Noon.AddMilliseconds(i), Noon.AddMilliseconds(i))))
            .ToArray();

        var written = await CopyAsync(layout, new TickAppend(instrument, 3, 0, 1, ticks));

        Assert.Equal(count, written);
        Assert.Equal(
            $"101 {rowTicks} | {101 + rowTicks} {rowTicks} | {101 + (2 * rowTicks)} 44",
            await database.ScalarAsync<string>(
                """
                SELECT string_agg(b.first_sequence || ' ' || (SELECT count(*) FROM ticks t WHERE t.symbol = b.symbol AND t.sequence BETWEEN b.first_sequence AND b.first_sequence + $2 - 1), ' | ' ORDER BY first_sequence)
                FROM tick_batches b WHERE symbol = $1
                """,
                instrument.Symbol,
                (long)rowTicks));
        Assert.Equal(0L, await database.ScalarAsync<long>(
            "SELECT count(*) FROM tick_batches b WHERE symbol = $1 AND last_exchange_time <> (SELECT max(exchange_time) FROM ticks t WHERE t.symbol = b.symbol AND t.sequence BETWEEN b.first_sequence AND b.first_sequence + $2 - 1)",
            instrument.Symbol,
            (long)rowTicks));
        Assert.Equal(0L, await database.ScalarAsync<long>(
            "SELECT count(*) FROM tick_batches WHERE symbol = $1 AND (pg_column_compression(prices) IS NOT NULL OR pg_column_compression(exchange_times) IS NOT NULL OR pg_column_compression(packed) IS NOT NULL)",
            instrument.Symbol));
        Assert.Equal(0L, await database.ScalarAsync<long>(
            """
            SELECT (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %s', reltoastrelid::regclass), false, true, '')))[1]::text::bigint
            FROM pg_class WHERE relname = 'ticks_default'
            """));
        Assert.Equal(
            ticks.Select(t => (t.Sequence, t.Tick.TradeId, t.Tick.Price, t.Tick.Quantity)).ToArray(),
            await ReadAsync(instrument.Symbol));
    }

    private async Task<long> CopyAsync(TickRowLayout layout, TickAppend append)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return await TickFlushCommands.CopyBatchesAsync(connection, new TickBatchCopyEncoder(layout), [(append, append.Ticks)]);
    }

    private async Task<(long, long, decimal, decimal)[]> ReadAsync(string symbol)
    {
        await using var command = database.DataSource.CreateCommand("SELECT sequence, trade_id, price, quantity FROM ticks WHERE symbol = $1 ORDER BY sequence");
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = symbol });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(long, long, decimal, decimal)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.GetInt64(1), reader.GetDecimal(2), reader.GetDecimal(3)));
        }

        return [.. rows];
    }
}
