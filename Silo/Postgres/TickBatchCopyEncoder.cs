using System.Buffers.Binary;
using System.Text;
using PriceActors.Grains.Storage;

namespace PriceActors.Silo.Postgres;

/// <summary>
/// Encodes <c>tick_batches</c> rows in PostgreSQL's binary COPY format straight into one reused buffer, their
/// ticks packed (sql/005_packed_ticks.sql, <see cref="PackedTicks"/>) or as arrays (sql/003_tick_batches.sql).
/// Npgsql's <c>NpgsqlBinaryImporter</c> resolves a converter for every value and boxes every array through its
/// generic array converter: that was a quarter of the silo's CPU at full ingest (bench/README.md).
/// An append longer than <see cref="MaxTicksPerRow"/> ticks becomes several rows, so a row stays inside one
/// 8 kB page: a longer one is compressed and moved to the TOAST table, an index entry per 2 kB chunk again.
/// </summary>
/// <param name="layout">How the rows carry their ticks.</param>
internal sealed class TickBatchCopyEncoder(TickRowLayout layout = TickRowLayout.Packed)
{
    private const short ArrayColumns = 13;
    private const short PackedColumns = 6;
    private const int Int8Oid = 20;
    private const int Int2Oid = 21;
    private const int TimestampTzOid = 1184;
    private const int NumericOid = 1700;

    // timestamptz counts microseconds from 2000-01-01 UTC.
    private static readonly long PostgresEpochTicks = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;

    // "PGCOPY\n\377\r\n\0"
    private static ReadOnlySpan<byte> Signature => [(byte)'P', (byte)'G', (byte)'C', (byte)'O', (byte)'P', (byte)'Y', (byte)'\n', 0xFF, (byte)'\r', (byte)'\n', 0];

    private byte[] buffer = new byte[64 * 1024];
    private int position;

    /// <summary>
    /// Ticks per row at most, so a full row stays under toast_tuple_target (8160 bytes): packed, 250 of 10 to 20 bytes
    /// each with everyday prices, quantities and trade ids; as arrays, 100 of 60 to 70 bytes. Only numbers of 20 digits
    /// and more (and, packed, trade ids or times far apart within a row) make a row long enough to compress.
    /// </summary>
    public int MaxTicksPerRow { get; } = layout == TickRowLayout.Packed ? 250 : 100;

    /// <summary>The COPY statement the rows of <see cref="Encode"/> are for.</summary>
    public string CopySql { get; } = layout == TickRowLayout.Packed
        ? "COPY tick_batches (exchange, symbol, last_exchange_time, epoch, first_sequence, packed) FROM STDIN (FORMAT BINARY)"
        : """
          COPY tick_batches (exchange, symbol, last_exchange_time, epoch, first_sequence, sequences, trade_ids, prices,
                             quantities, exchange_times, receive_times, exchange_times_100ns, receive_times_100ns)
          FROM STDIN (FORMAT BINARY)
          """;

    /// <summary>
    /// The whole COPY payload (signature, rows, trailer) of these rows; valid until the next call.
    /// <paramref name="ticks"/> is the number of ticks in it.
    /// </summary>
    public ReadOnlyMemory<byte> Encode(List<(TickAppend Append, ReadOnlyMemory<SequencedTick> Ticks)> rows, out long ticks)
    {
        position = 0;
        ticks = 0;
        Bytes(Signature);
        Int32(0); // flags
        Int32(0); // header extension length
        foreach (var (append, all) in rows)
        {
            var exchange = Encoding.UTF8.GetBytes(append.Instrument.Exchange);
            var symbol = Encoding.UTF8.GetBytes(append.Instrument.Symbol);
            for (var start = 0; start < all.Length; start += MaxTicksPerRow)
            {
                var ticksOfRow = all.Span.Slice(start, Math.Min(MaxTicksPerRow, all.Length - start));
                if (layout == TickRowLayout.Packed)
                {
                    PackedRow(exchange, symbol, append.Epoch, ticksOfRow);
                }
                else
                {
                    Row(exchange, symbol, append.Epoch, ticksOfRow);
                }
            }

            ticks += all.Length;
        }

        Int16(-1); // trailer
        return buffer.AsMemory(0, position);
    }

    /// <summary>Drops a buffer a very large flush grew, so one burst does not pin megabytes per writer.</summary>
    public void Trim()
    {
        if (buffer.Length > 1024 * 1024)
        {
            buffer = new byte[64 * 1024];
        }
    }

    private void PackedRow(byte[] exchange, byte[] symbol, long epoch, ReadOnlySpan<SequencedTick> ticks)
    {
        Key(PackedColumns, exchange, symbol, epoch, ticks);
        var field = position;
        Int32(0);
        Reserve(PackedTicks.MaxSize(ticks.Length));
        position += PackedTicks.Write(ticks, buffer.AsSpan(position));
        EndField(field);
    }

    private void Row(byte[] exchange, byte[] symbol, long epoch, ReadOnlySpan<SequencedTick> ticks)
    {
        Key(ArrayColumns, exchange, symbol, epoch, ticks);

        var array = BeginArray(Int8Oid, ticks.Length);
        foreach (var tick in ticks)
        {
            Int32(8);
            Int64(tick.Sequence);
        }

        EndField(array);
        array = BeginArray(Int8Oid, ticks.Length);
        foreach (var tick in ticks)
        {
            Int32(8);
            Int64(tick.Tick.TradeId);
        }

        EndField(array);
        array = BeginArray(NumericOid, ticks.Length);
        foreach (var tick in ticks)
        {
            Numeric(tick.Tick.Price);
        }

        EndField(array);
        array = BeginArray(NumericOid, ticks.Length);
        foreach (var tick in ticks)
        {
            Numeric(tick.Tick.Quantity);
        }

        EndField(array);
        array = BeginArray(TimestampTzOid, ticks.Length);
        foreach (var tick in ticks)
        {
            Int32(8);
            Int64(Microseconds(tick.Tick.ExchangeTime));
        }

        EndField(array);
        array = BeginArray(TimestampTzOid, ticks.Length);
        foreach (var tick in ticks)
        {
            Int32(8);
            Int64(Microseconds(tick.Tick.ReceiveTime));
        }

        EndField(array);
        array = BeginArray(Int2Oid, ticks.Length);
        foreach (var tick in ticks)
        {
            Int32(2);
            Int16(TickTime.Remainder(tick.Tick.ExchangeTime));
        }

        EndField(array);
        array = BeginArray(Int2Oid, ticks.Length);
        foreach (var tick in ticks)
        {
            Int32(2);
            Int16(TickTime.Remainder(tick.Tick.ReceiveTime));
        }

        EndField(array);
    }

    // The columns both layouts start with: the row's key.
    private void Key(short columns, byte[] exchange, byte[] symbol, long epoch, ReadOnlySpan<SequencedTick> ticks)
    {
        var newest = long.MinValue;
        foreach (var tick in ticks)
        {
            newest = Math.Max(newest, Microseconds(tick.Tick.ExchangeTime));
        }

        Int16(columns);
        Field(exchange);
        Field(symbol);
        Int32(8);
        Int64(newest);
        Int32(8);
        Int64(epoch);
        Int32(8);
        Int64(ticks[0].Sequence);
    }

    private static long Microseconds(DateTimeOffset time) => (TickTime.Microseconds(time).Ticks - PostgresEpochTicks) / (TimeSpan.TicksPerMillisecond / 1000);

    // A one-dimensional array without nulls: its field length is patched in by EndField.
    private int BeginArray(int elementOid, int length)
    {
        var field = position;
        Int32(0);
        Int32(1); // dimensions
        Int32(0); // has nulls
        Int32(elementOid);
        Int32(length);
        Int32(1); // lower bound
        return field;
    }

    private void EndField(int field) => BinaryPrimitives.WriteInt32BigEndian(buffer.AsSpan(field), position - field - 4);

    /// <summary>
    /// numeric's binary form: base-10000 digits with the decimal point on a digit boundary, the weight of the
    /// first digit, the sign and the display scale (the decimal's own scale, so 1.50 stays 1.50).
    /// </summary>
    private void Numeric(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var scale = (bits[3] >> 16) & 0xFF;
        var negative = bits[3] < 0;
        var mantissa = ((UInt128)(uint)bits[2] << 64) | ((ulong)(uint)bits[1] << 32) | (uint)bits[0];

        // Pad the fraction to whole base-10000 digits: at most 2^96 * 1000, well inside 128 bits.
        var pad = (4 - (scale % 4)) % 4;
        mantissa *= pad switch { 0 => 1u, 1 => 10u, 2 => 100u, _ => 1000u };
        var fractionDigits = (scale + pad) / 4;
        Span<short> digits = stackalloc short[10]; // least significant first
        var count = 0;
        if (mantissa <= ulong.MaxValue)
        {
            for (var small = (ulong)mantissa; small > 0; small /= 10_000)
            {
                digits[count++] = (short)(small % 10_000);
            }
        }
        else
        {
            for (; mantissa > 0; mantissa /= 10_000)
            {
                digits[count++] = (short)(ulong)(mantissa % 10_000);
            }
        }

        var low = 0;
        while (low < count && digits[low] == 0)
        {
            low++;
        }

        var field = position;
        Int32(0);
        if (low == count)
        {
            Int16(0); // zero: no digits
            Int16(0);
            Int16(0);
        }
        else
        {
            Int16((short)(count - low));
            Int16((short)(count - 1 - fractionDigits));
            Int16(negative ? (short)0x4000 : (short)0);
        }

        Int16((short)scale);
        for (var i = count - 1; i >= low; i--)
        {
            Int16(digits[i]);
        }

        EndField(field);
    }

    private void Field(byte[] value)
    {
        Int32(value.Length);
        Bytes(value);
    }

    private void Bytes(ReadOnlySpan<byte> value)
    {
        value.CopyTo(Reserve(value.Length));
        position += value.Length;
    }

    private void Int16(short value)
    {
        BinaryPrimitives.WriteInt16BigEndian(Reserve(2), value);
        position += 2;
    }

    private void Int32(int value)
    {
        BinaryPrimitives.WriteInt32BigEndian(Reserve(4), value);
        position += 4;
    }

    private void Int64(long value)
    {
        BinaryPrimitives.WriteInt64BigEndian(Reserve(8), value);
        position += 8;
    }

    private Span<byte> Reserve(int bytes)
    {
        if (buffer.Length - position < bytes)
        {
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, position + bytes));
        }

        return buffer.AsSpan(position);
    }
}
