using System.Buffers.Binary;
namespace PriceActors.Grains.Wire;

/// <summary>Reads what <see cref="BodyWriter"/> wrote; every malformed input ends in a <see cref="FormatException"/> saying where.</summary>
internal ref struct BodyReader(ReadOnlySpan<byte> body, string kind)
{
    private readonly ReadOnlySpan<byte> body = body;
    private readonly string kind = kind;
    private int position;

    public readonly int Remaining => body.Length - position;

    public byte ReadByte() => Take(1)[0];

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    /// <summary>Reads a count and checks the rest of the body can hold that many items of at least <paramref name="minItemSize"/> bytes.</summary>
    public int ReadCount(int minItemSize, string what)
    {
        var count = ReadInt32();
        if (count < 0 || (long)count * minItemSize > Remaining)
        {
            throw Malformed($"{what} count {count} does not fit the {Remaining} bytes left");
        }

        return count;
    }

    public decimal ReadDecimal()
    {
        Span<int> bits = [ReadInt32(), ReadInt32(), ReadInt32(), ReadInt32()];
        try
        {
            return new decimal(bits);
        }
        catch (ArgumentException)
        {
            throw Malformed("invalid decimal");
        }
    }

    public DateTimeOffset ReadTime() => Time(ReadInt64());

    /// <summary>UTC ticks read as a time; out of <see cref="DateTimeOffset"/>'s range is malformed.</summary>
    public readonly DateTimeOffset Time(long ticks)
    {
        if (ticks < DateTimeOffset.MinValue.UtcTicks || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw Malformed($"time {ticks} out of range");
        }

        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    /// <summary>What <see cref="BodyWriter.WriteCompactDecimal"/> wrote.</summary>
    public decimal ReadCompactDecimal()
    {
        var head = ReadByte();
        var scale = head & BodyWriter.CompactDecimalScaleMask;
        if (scale > 28 || (head & BodyWriter.CompactDecimalReserved) != 0)
        {
            throw Malformed($"invalid decimal (head byte 0x{head:X2})");
        }

        int lo, mid, hi;
        if ((head & BodyWriter.CompactDecimalWide) != 0)
        {
            (lo, mid, hi) = (ReadInt32(), ReadInt32(), ReadInt32());
        }
        else
        {
            var mantissa = ReadVarint();
            (lo, mid, hi) = ((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0);
        }

        return new decimal(lo, mid, hi, (head & BodyWriter.CompactDecimalNegative) != 0, (byte)scale);
    }

    /// <summary>What <see cref="BodyWriter.WriteZigZag"/> wrote.</summary>
    public long ReadZigZag()
    {
        var value = ReadVarint();
        return (long)(value >> 1) ^ -(long)(value & 1);
    }

    /// <summary>What <see cref="BodyWriter.WriteVarint"/> wrote; more than 10 bytes, or bits past 64, is malformed.</summary>
    public ulong ReadVarint()
    {
        ulong value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var next = ReadByte();
            if (shift == 63 && next > 1)
            {
                throw Malformed("varint longer than 64 bits");
            }

            value |= (ulong)(next & 0x7F) << shift;
            if (next < 0x80)
            {
                return value;
            }
        }

        throw Malformed("varint longer than 64 bits");
    }

    /// <summary>Reads a length byte and that many bytes (what <see cref="BodyWriter.WriteShortString"/> wrote).</summary>
    public ReadOnlySpan<byte> ReadShortBytes() => Take(ReadByte());

    public readonly void ExpectEnd()
    {
        if (Remaining != 0)
        {
            throw Malformed($"{Remaining} unexpected trailing bytes");
        }
    }

    public readonly FormatException Malformed(string reason) =>
        new($"Malformed {kind} message at byte {position} of {body.Length}: {reason}.");

    private ReadOnlySpan<byte> Take(int count)
    {
        if (count > Remaining)
        {
            throw Malformed($"needs {count} more bytes, {Remaining} left");
        }

        var span = body.Slice(position, count);
        position += count;
        return span;
    }
}
