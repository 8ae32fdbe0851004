using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using PriceActors.Grains;
using PriceActors.Grains.Wire;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// The instruments decoded from message bodies, by the names as they came: tick and update messages name the same
/// instruments over and over, and decoding every name anew (two strings and the key's own) was 7 % of what the silo
/// allocated at 100k ticks/s (bench/README.md). Keeps at most <see cref="Capacity"/> names; past that,
/// a name is decoded each time, so a publisher sending ever new names cannot grow it without bound.
/// </summary>
internal static class InstrumentNames
{
    /// <summary>The most names kept.</summary>
    public const int Capacity = 100_000;

    private static readonly ConcurrentDictionary<string, InstrumentKey> Known = new(StringComparer.Ordinal);
    private static readonly ConcurrentDictionary<string, InstrumentKey>.AlternateLookup<ReadOnlySpan<char>> ByName = Known.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Reads an exchange and a symbol (two short strings) and returns their key.</summary>
    /// <exception cref="FormatException">They do not make an instrument key.</exception>
    public static InstrumentKey ReadInstrument(this ref BodyReader reader)
    {
        var exchange = reader.ReadShortBytes();
        var symbol = reader.ReadShortBytes();
        return TryGet(exchange, symbol, out var key, out var error) ? key : throw reader.Malformed(error);
    }

    /// <summary>The key for an exchange and symbol as encoded (ASCII), or why they do not make one.</summary>
    public static bool TryGet(ReadOnlySpan<byte> exchange, ReadOnlySpan<byte> symbol, out InstrumentKey key, [NotNullWhen(false)] out string? error)
    {
        Span<char> name = stackalloc char[exchange.Length + 1 + symbol.Length];
        Encoding.ASCII.GetChars(exchange, name);
        name[exchange.Length] = ':';
        Encoding.ASCII.GetChars(symbol, name[(exchange.Length + 1)..]);
        if (ByName.TryGetValue(name, out key))
        {
            error = null;
            return true;
        }

        if (!InstrumentKey.TryCreate(Encoding.ASCII.GetString(exchange), Encoding.ASCII.GetString(symbol), out key, out error))
        {
            return false;
        }

        if (Known.Count < Capacity)
        {
            Known.TryAdd(new string(name), key);
        }

        return true;
    }
}
