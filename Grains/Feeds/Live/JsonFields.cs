using System.Globalization;
using System.Text.Json;

namespace PriceActors.Grains.Feeds.Live;

/// <summary>Reading the fields of an exchange's JSON trade the way every protocol here needs it.</summary>
internal static class JsonFields
{
    /// <summary>
    /// A decimal kept with the digits the exchange sent ("0.01914100" keeps its scale of 8): from a decimal string, and
    /// with <paramref name="numbers"/> also from a JSON number's literal text. No exponents, no signs but the caller's checks.
    /// </summary>
    public static bool TryDecimal(JsonElement element, string name, bool numbers, out decimal value)
    {
        value = 0;
        if (!element.TryGetProperty(name, out var property))
        {
            return false;
        }

        var text = property.ValueKind switch
        {
            JsonValueKind.String => property.GetString(),
            JsonValueKind.Number when numbers => property.GetRawText(),
            _ => null,
        };
        return text is not null && decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>A whole number that is a JSON number (not a string).</summary>
    public static bool TryInt64(JsonElement element, string name, out long value)
    {
        value = 0;
        return element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.Number && property.TryGetInt64(out value);
    }

    /// <summary>A whole number sent as a string of digits ("130639474"), as several exchanges send ids and times.</summary>
    public static bool TryDigitsInt64(JsonElement element, string name, out long value)
    {
        value = 0;
        return element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String
            && long.TryParse(property.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>
    /// The key of a native BASE{separator}QUOTE symbol (BTC-USD, BTC/USD): the two parts joined, upper case, under
    /// <paramref name="exchange"/>; false when the symbol is not exactly two non-empty parts.
    /// </summary>
    public static bool TryKeyOfPair(string exchange, string native, char separator, out InstrumentKey instrument)
    {
        instrument = default;
        var at = native.IndexOf(separator, StringComparison.Ordinal);
        return at > 0 && at < native.Length - 1 && native.IndexOf(separator, at + 1) < 0
            && InstrumentKey.TryCreate(exchange, native.Remove(at, 1), out instrument, out _);
    }

    /// <summary>The JSON text <paramref name="write"/> writes (a request to an exchange).</summary>
    public static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer))
        {
            write(json);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
