using System.Buffers.Binary;
using System.Text;

namespace PriceActors.Grains.Wire;

/// <summary>Writes the little-endian primitives of our binary encodings (tick batches, bus messages) into a buffer sized in advance.</summary>
internal ref struct BodyWriter(Span<byte> buffer)
{
    /// <summary>Bytes a decimal takes: its four <see cref="decimal.GetBits(decimal)"/> words, so scale and value stay exact.</summary>
    public const int DecimalSize = 16;

    /// <summary>The most bytes a compact tick takes: two wide compact decimals and three ten-byte varints.</summary>
    public const int MaxCompactTickSize = (2 * (1 + 12)) + (3 * 10);

    // The first byte of a compact decimal: scale in bits 0-4, bit 6 set when the mantissa follows as 12 bytes
    // rather than a varint, bit 7 the sign (bit 5 is reserved, 0).
    internal const byte CompactDecimalReserved = 0x20;
    internal const byte CompactDecimalWide = 0x40;
    internal const byte CompactDecimalNegative = 0x80;
    internal const byte CompactDecimalScaleMask = 0x1F;

    private readonly Span<byte> buffer = buffer;
    private int position;

    public readonly int Position => position;

    /// <summary>Bytes a short string takes: one length byte and its ASCII characters.</summary>
    public static int SizeOf(string value) => 1 + value.Length;

    public void WriteByte(byte value) => buffer[position++] = value;

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer[position..], value);
        position += 4;
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(buffer[position..], value);
        position += 8;
    }

    public void WriteDecimal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        foreach (var word in bits)
        {
            WriteInt32(word);
        }
    }

    /// <summary>
    /// A decimal in 2–13 bytes, exact (scale and sign kept, as <see cref="decimal.GetBits(decimal)"/>): a byte with
    /// sign and scale, then the 96-bit mantissa as a varint when it fits 64 bits, else its three words.
    /// </summary>
    public void WriteCompactDecimal(decimal value)
    {
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(value, bits);
        var head = (byte)(((bits[3] >> 16) & CompactDecimalScaleMask) | (bits[3] < 0 ? CompactDecimalNegative : 0));
        if (bits[2] == 0)
        {
            WriteByte(head);
            WriteVarint(((ulong)(uint)bits[1] << 32) | (uint)bits[0]);
        }
        else
        {
            WriteByte((byte)(head | CompactDecimalWide));
            WriteInt32(bits[0]);
            WriteInt32(bits[1]);
            WriteInt32(bits[2]);
        }
    }

    /// <summary>A signed value as a zigzag varint: small magnitudes of either sign take few bytes.</summary>
    public void WriteZigZag(long value) => WriteVarint((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>7 bits a byte, low first, the high bit set on all but the last: 1–10 bytes.</summary>
    public void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            buffer[position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        buffer[position++] = (byte)value;
    }

    public void WriteTime(DateTimeOffset value) => WriteInt64(value.UtcTicks);

    /// <summary>Writes an instrument part (at most 32 ASCII characters, validated by <c>InstrumentKey</c>).</summary>
    public void WriteShortString(string value)
    {
        WriteByte(checked((byte)value.Length));
        position += Encoding.ASCII.GetBytes(value, buffer[position..]);
    }
}
