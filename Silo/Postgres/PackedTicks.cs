using System.Buffers.Binary;
using System.Numerics;
using PriceActors.Grains;
using PriceActors.Grains.Storage;

namespace PriceActors.Silo.Postgres;

/// <summary>
/// The <c>packed</c> column of <c>tick_batches</c>: a row's ticks as eight columns of frame-of-reference numbers,
/// each as narrow as the row's values allow (the layout is described in sql/005_packed_ticks.sql, whose
/// <c>unpack_ticks</c> reads it in SQL). 10 to 20 bytes a tick for everyday feeds, exact for every decimal
/// and time; the server copies it as it comes instead of building eight arrays a row.
/// </summary>
internal static class PackedTicks
{
    /// <summary>Ticks a packed value holds at most (its count is 16 bits).</summary>
    public const int MaxTicks = ushort.MaxValue;

    // At most this many bytes a tick, after the header: 8-byte integers, 1-byte scales and 13-byte mantissas.
    private const int MaxTickSize = (4 * 8) + (2 * 1) + (2 * WideMantissa);
    private const int HeaderSize = 3 + (Columns * 9);
    private const byte Layout = 1;
    private const int Columns = 8;
    private const int Raw = 8;
    private const byte WideMantissa = 13;
    private const int Sequence = 0, TradeId = 1, ExchangeTime = 2, ReceiveOffset = 3, PriceScale = 4, PriceMantissa = 5, QuantityScale = 6, QuantityMantissa = 7;

    /// <summary>The most bytes <see cref="Write"/> takes for <paramref name="ticks"/> ticks.</summary>
    public static int MaxSize(int ticks) => HeaderSize + (ticks * MaxTickSize);

    /// <summary>Writes <paramref name="ticks"/> (1 to <see cref="MaxTicks"/>) to the start of <paramref name="destination"/>; returns the bytes written.</summary>
    public static int Write(ReadOnlySpan<SequencedTick> ticks, Span<byte> destination)
    {
        if (ticks.IsEmpty || ticks.Length > MaxTicks)
        {
            throw new ArgumentOutOfRangeException(nameof(ticks), ticks.Length, $"A packed value holds 1 to {MaxTicks} ticks.");
        }

        Span<long> min = stackalloc long[Columns];
        Span<long> max = stackalloc long[Columns];
        Span<long> values = stackalloc long[Columns];
        min.Fill(long.MaxValue);
        max.Fill(long.MinValue);
        bool widePrice = false, wideQuantity = false;
        foreach (var tick in ticks)
        {
            var (narrowPrice, narrowQuantity) = Values(tick, values);
            widePrice |= !narrowPrice;
            wideQuantity |= !narrowQuantity;
            for (var c = 0; c < Columns; c++)
            {
                min[c] = Math.Min(min[c], values[c]);
                max[c] = Math.Max(max[c], values[c]);
            }
        }

        destination[0] = Layout;
        BinaryPrimitives.WriteUInt16BigEndian(destination[1..], (ushort)ticks.Length);
        var widths = destination.Slice(3, Columns);
        Span<long> bases = stackalloc long[Columns];
        Span<int> starts = stackalloc int[Columns];
        var at = HeaderSize;
        for (var c = 0; c < Columns; c++)
        {
            var range = unchecked((ulong)(max[c] - min[c]));
            widths[c] = (c == PriceMantissa && widePrice) || (c == QuantityMantissa && wideQuantity)
                ? WideMantissa
                : range == 0 ? (byte)0 : (byte)Math.Min(Raw, (71 - BitOperations.LeadingZeroCount(range)) / 8);
            bases[c] = widths[c] is Raw or WideMantissa ? 0 : min[c];
            BinaryPrimitives.WriteInt64BigEndian(destination[(11 + (8 * c))..], bases[c]);
            starts[c] = at;
            at += widths[c] * ticks.Length;
        }

        for (var i = 0; i < ticks.Length; i++)
        {
            Values(ticks[i], values);
            for (var c = 0; c < Columns; c++)
            {
                var cell = destination.Slice(starts[c] + (i * widths[c]), widths[c]);
                if (widths[c] == WideMantissa)
                {
                    WriteWide(c == PriceMantissa ? ticks[i].Tick.Price : ticks[i].Tick.Quantity, cell);
                }
                else
                {
                    WriteUnsigned(unchecked((ulong)(values[c] - bases[c])), cell);
                }
            }
        }

        return at;
    }

    /// <summary>Reads a packed value back into the ticks it holds.</summary>
    /// <exception cref="FormatException">The value is not a packed value this version reads; the text says why.</exception>
    public static SequencedTick[] Read(ReadOnlySpan<byte> packed, InstrumentKey instrument)
    {
        if (packed.Length < HeaderSize || packed[0] != Layout)
        {
            throw new FormatException(packed.Length < HeaderSize ? $"Packed ticks of {packed.Length} bytes are shorter than their header." : $"Packed ticks have layout {packed[0]}, not {Layout}.");
        }

        var count = BinaryPrimitives.ReadUInt16BigEndian(packed[1..]);
        var widths = packed.Slice(3, Columns);
        Span<int> starts = stackalloc int[Columns];
        var at = HeaderSize;
        for (var c = 0; c < Columns; c++)
        {
            var valid = widths[c] <= Raw || (widths[c] == WideMantissa && c is PriceMantissa or QuantityMantissa);
            if (!valid)
            {
                throw new FormatException($"Packed ticks: column {c} has width {widths[c]}.");
            }

            starts[c] = at;
            at += widths[c] * count;
        }

        if (count == 0 || at != packed.Length)
        {
            throw new FormatException($"Packed ticks: {count} ticks take {at} bytes, the value has {packed.Length}.");
        }

        var ticks = new SequencedTick[count];
        for (var i = 0; i < count; i++)
        {
            var exchangeTime = Value(packed, widths, starts, ExchangeTime, i);
            var receiveTime = exchangeTime + Value(packed, widths, starts, ReceiveOffset, i);
            ticks[i] = new SequencedTick(
                Value(packed, widths, starts, Sequence, i),
                new Tick(
                    instrument,
                    Decimal(packed, widths, starts, PriceMantissa, i),
                    Decimal(packed, widths, starts, QuantityMantissa, i),
                    Value(packed, widths, starts, TradeId, i),
                    Time(exchangeTime),
                    Time(receiveTime)));
        }

        return ticks;
    }

    // The eight column values of a tick, and whether each mantissa fits an int64 (when not, its value here is 0).
    private static (bool Price, bool Quantity) Values(in SequencedTick tick, Span<long> values)
    {
        values[Sequence] = tick.Sequence;
        values[TradeId] = tick.Tick.TradeId;
        values[ExchangeTime] = tick.Tick.ExchangeTime.UtcTicks;
        values[ReceiveOffset] = tick.Tick.ReceiveTime.UtcTicks - tick.Tick.ExchangeTime.UtcTicks;
        values[PriceScale] = tick.Tick.Price.Scale;
        values[QuantityScale] = tick.Tick.Quantity.Scale;
        return (Mantissa(tick.Tick.Price, out values[PriceMantissa]), Mantissa(tick.Tick.Quantity, out values[QuantityMantissa]));
    }

    // The signed mantissa of a decimal when it fits an int64.
    private static bool Mantissa(decimal value, out long mantissa)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var magnitude = ((ulong)(uint)bits[1] << 32) | (uint)bits[0];
        if (bits[2] != 0 || magnitude > long.MaxValue)
        {
            mantissa = 0;
            return false;
        }

        mantissa = bits[3] < 0 ? -(long)magnitude : (long)magnitude;
        return true;
    }

    private static void WriteWide(decimal value, Span<byte> cell)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        cell[0] = bits[3] < 0 ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt32BigEndian(cell[1..], bits[2]);
        BinaryPrimitives.WriteInt32BigEndian(cell[5..], bits[1]);
        BinaryPrimitives.WriteInt32BigEndian(cell[9..], bits[0]);
    }

    private static void WriteUnsigned(ulong value, Span<byte> cell)
    {
        for (var k = cell.Length - 1; k >= 0; k--)
        {
            cell[k] = (byte)value;
            value >>= 8;
        }
    }

    private static long Value(ReadOnlySpan<byte> packed, ReadOnlySpan<byte> widths, ReadOnlySpan<int> starts, int column, int i)
    {
        int width = widths[column];
        ulong stored = 0;
        foreach (var b in packed.Slice(starts[column] + (i * width), width))
        {
            stored = (stored << 8) | b;
        }

        return width == Raw ? (long)stored : unchecked(BinaryPrimitives.ReadInt64BigEndian(packed[(11 + (8 * column))..]) + (long)stored);
    }

    private static decimal Decimal(ReadOnlySpan<byte> packed, ReadOnlySpan<byte> widths, ReadOnlySpan<int> starts, int mantissaColumn, int i)
    {
        var scale = Value(packed, widths, starts, mantissaColumn - 1, i);
        if (scale is < 0 or > 28)
        {
            throw new FormatException($"Packed ticks: tick {i} has a decimal scale of {scale}.");
        }

        if (widths[mantissaColumn] == WideMantissa)
        {
            var cell = packed.Slice(starts[mantissaColumn] + (i * WideMantissa), WideMantissa);
            return new decimal(
                BinaryPrimitives.ReadInt32BigEndian(cell[9..]),
                BinaryPrimitives.ReadInt32BigEndian(cell[5..]),
                BinaryPrimitives.ReadInt32BigEndian(cell[1..]),
                cell[0] == 1,
                (byte)scale);
        }

        var mantissa = Value(packed, widths, starts, mantissaColumn, i);
        var magnitude = mantissa < 0 ? (ulong)-mantissa : (ulong)mantissa;
        return new decimal((int)(uint)magnitude, (int)(uint)(magnitude >> 32), 0, mantissa < 0, (byte)scale);
    }

    private static DateTimeOffset Time(long ticks) =>
        ticks is >= 0 and <= 3_155_378_975_999_999_999
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : throw new FormatException($"Packed ticks: time {ticks} is out of range.");
}
