using System.Buffers.Binary;
using System.Text;

namespace PriceActors.Silo.RabbitMq;

/// <summary>Writes the little-endian primitives of the bus's binary messages into a buffer sized in advance.</summary>
internal ref struct BodyWriter(Span<byte> buffer)
{
    /// <summary>Bytes a decimal takes: its four <see cref="decimal.GetBits(decimal)"/> words, so scale and value stay exact.</summary>
    public const int DecimalSize = 16;

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

    public void WriteTime(DateTimeOffset value) => WriteInt64(value.UtcTicks);

    /// <summary>Writes an instrument part (at most 32 ASCII characters, validated by <c>InstrumentKey</c>).</summary>
    public void WriteShortString(string value)
    {
        WriteByte(checked((byte)value.Length));
        position += Encoding.ASCII.GetBytes(value, buffer[position..]);
    }
}
