using Npgsql;
using PriceActors.Grains;
using PriceActors.Grains.Storage;
using PriceActors.Silo.Postgres;

namespace PriceActors.Tests.Silo.Postgres;

/// <summary>The hand-written binary COPY of tick_batches, read back by the real server and compared with Npgsql's own encoding.</summary>
public sealed class TickBatchCopyEncoderTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly DateTimeOffset Noon = new(2031, 3, 4, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Encode_EveryKindOfDecimal_ServerReadsWhatNpgsqlWouldHaveSent()
    {
        decimal[] prices =
        [
            0m, 0.000m, -0m, 1m, 1.00m, -1.5m, 0.0001m, 0.00001m, 10000m, 100000000m, 123456.7890m, 12345678.12345678m,
            0.0000000000000000000000000001m, -0.0000000000000000000000000001m, decimal.MaxValue, decimal.MinValue,
            7922816251426433759354395.0335m, 18446744073709551615m, 18446744073709551616m, 99999.99999m,
        ];
        var instrument = InstrumentKey.Create("copy", "DECIMALS");
        var ticks = prices.Select((p, i) => new SequencedTick(i + 1, new Tick(instrument, p, -p, i, Noon, Noon))).ToArray();

        await CopyAsync(new TickAppend(instrument, 1, 0, 1, ticks));

        var expected = await database.ScalarAsync<string[]>("SELECT array_agg(p::text ORDER BY n) FROM unnest($1::numeric[]) WITH ORDINALITY AS t(p, n)", prices);
        Assert.Equal(expected, await database.ScalarAsync<string[]>("SELECT array_agg(price::text ORDER BY sequence) FROM ticks WHERE symbol = 'DECIMALS'"));
        Assert.Equal(
            prices.Select(p => (-p).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray(),
            (await database.ScalarAsync<decimal[]>("SELECT array_agg(quantity ORDER BY sequence) FROM ticks WHERE symbol = 'DECIMALS'"))
                .Select(q => q.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
    }

    [Fact]
    public async Task Encode_TimesBeforeAndAfter2000_StoredToTheMicrosecondWithTheRemainderBeside()
    {
        var instrument = InstrumentKey.Create("copy", "TIMES");
        DateTimeOffset[] times =
        [
            new DateTimeOffset(1999, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_999),
            new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero),
            new DateTimeOffset(1970, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1),
            Noon.AddTicks(1_234_567),
            new DateTimeOffset(2250, 6, 30, 1, 2, 3, TimeSpan.Zero).AddTicks(5),
        ];
        var ticks = times.Select((t, i) => new SequencedTick(i + 1, new Tick(instrument, 1m, 1m, i, t, t.AddTicks(3)))).ToArray();

        await CopyAsync(new TickAppend(instrument, 2, 0, 1, ticks));

        await using var reader = await database.DataSource.CreateCommand(
            "SELECT exchange_time, exchange_time_100ns, receive_time, receive_time_100ns FROM ticks WHERE symbol = 'TIMES' ORDER BY sequence").ExecuteReaderAsync();
        var stored = new List<(DateTimeOffset, DateTimeOffset)>();
        while (await reader.ReadAsync())
        {
            stored.Add((TickTime.Join(reader.GetDateTime(0), reader.GetInt16(1)), TickTime.Join(reader.GetDateTime(2), reader.GetInt16(3))));
        }

        Assert.Equal(times.Select(t => (t, t.AddTicks(3))), stored);
        Assert.Equal(
            TickTime.Microseconds(times.Max()),
            await database.ScalarAsync<DateTime>("SELECT last_exchange_time FROM tick_batches WHERE symbol = 'TIMES'"));
    }

    [Fact]
    public async Task Encode_AppendLongerThanARow_SplitIntoRowsThatStayInTheirPage()
    {
        var instrument = InstrumentKey.Create("copy", "LONG");
        var count = (2 * TickBatchCopyEncoder.MaxTicksPerRow) + 44;
        var ticks = Enumerable.Range(1, count)
            .Select(i => new SequencedTick(100 + i, new Tick(instrument, 65_000.123456m + i, 0.00012345m * i, 9_000 + i, Noon.AddMilliseconds(i), Noon.AddMilliseconds(i))))
            .ToArray();

        var written = await CopyAsync(new TickAppend(instrument, 3, 0, 1, ticks));

        Assert.Equal(count, written);
        Assert.Equal(
            $"101 {TickBatchCopyEncoder.MaxTicksPerRow} | {101 + TickBatchCopyEncoder.MaxTicksPerRow} {TickBatchCopyEncoder.MaxTicksPerRow} | " +
            $"{101 + (2 * TickBatchCopyEncoder.MaxTicksPerRow)} 44",
            await database.ScalarAsync<string>(
                "SELECT string_agg(first_sequence || ' ' || cardinality(sequences), ' | ' ORDER BY first_sequence) FROM tick_batches WHERE symbol = 'LONG'"));
        Assert.Equal(0L, await database.ScalarAsync<long>(
            "SELECT count(*) FROM tick_batches WHERE symbol = 'LONG' AND last_exchange_time <> exchange_times[cardinality(exchange_times)]"));
        Assert.Equal(0L, await database.ScalarAsync<long>(
            "SELECT count(*) FROM tick_batches WHERE symbol = 'LONG' AND (pg_column_compression(prices) IS NOT NULL OR pg_column_compression(exchange_times) IS NOT NULL)"));
        Assert.Equal(0L, await database.ScalarAsync<long>(
            """
            SELECT (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %s', reltoastrelid::regclass), false, true, '')))[1]::text::bigint
            FROM pg_class WHERE relname = 'ticks_default'
            """));
        Assert.Equal(
            ticks.Select(t => (t.Sequence, t.Tick.TradeId, t.Tick.Price, t.Tick.Quantity)).ToArray(),
            await ReadAsync("LONG"));
    }

    private async Task<long> CopyAsync(TickAppend append)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync();
        return await TickFlushCommands.CopyBatchesAsync(connection, new TickBatchCopyEncoder(), [(append, append.Ticks)]);
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
