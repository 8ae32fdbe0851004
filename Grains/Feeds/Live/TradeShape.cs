using System.Globalization;
using System.Text.Json;

namespace PriceActors.Grains.Feeds.Live;

/// <summary>How an exchange's trade time is written.</summary>
internal enum TradeTimeFormat
{
    /// <summary>Milliseconds since the Unix epoch as a JSON number.</summary>
    EpochMilliseconds,

    /// <summary>Milliseconds since the Unix epoch as a string of digits.</summary>
    EpochMillisecondsDigits,

    /// <summary>An RFC 3339 string.</summary>
    Rfc3339,
}

/// <summary>
/// How one exchange's trade names its price, quantity and time, and what its malformed-frame messages call them: the
/// part of a trade every protocol reads the same way once it knows the instrument and the trade id.
/// </summary>
/// <param name="Noun">What the exchange's message is ("trade", "match").</param>
/// <param name="Price">The price's property.</param>
/// <param name="Quantity">The quantity's property.</param>
/// <param name="Time">The trade time's property.</param>
/// <param name="Format">How the time is written.</param>
/// <param name="NumberDecimals">Whether price and quantity come as JSON numbers (their literal digits kept) besides strings.</param>
/// <param name="PriceLabel">The price in a message ("price", "px").</param>
/// <param name="QuantityLabel">The quantity in a message, with its article ("a quantity").</param>
/// <param name="TimeLabel">The time in a message, with its article ("a trade time").</param>
internal sealed record TradeShape(
    string Noun, string Price, string Quantity, string Time, TradeTimeFormat Format, bool NumberDecimals, string PriceLabel, string QuantityLabel, string TimeLabel)
{
    /// <summary>Reads the price, quantity and time of trade <paramref name="id"/> and adds it; null when added, else what is wrong.</summary>
    public string? Add(List<Tick> trades, JsonElement trade, InstrumentKey instrument, long id, DateTimeOffset receivedAt)
    {
        if (!JsonFields.TryDecimal(trade, Price, NumberDecimals, out var price) || price <= 0)
        {
            return $"{Noun} {id} of {instrument} without a positive {PriceLabel}";
        }

        if (!JsonFields.TryDecimal(trade, Quantity, NumberDecimals, out var quantity) || quantity < 0)
        {
            return $"{Noun} {id} of {instrument} without {QuantityLabel}";
        }

        if (!TryTime(trade, out var time))
        {
            return $"{Noun} {id} of {instrument} without {TimeLabel}";
        }

        trades.Add(new Tick(instrument, price, quantity, id, time, receivedAt));
        return null;
    }

    private bool TryTime(JsonElement trade, out DateTimeOffset time)
    {
        time = default;
        long milliseconds;
        switch (Format)
        {
            case TradeTimeFormat.Rfc3339:
                return trade.TryGetProperty(Time, out var text) && text.ValueKind == JsonValueKind.String
                    && DateTimeOffset.TryParse(text.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
            case TradeTimeFormat.EpochMillisecondsDigits:
                if (!JsonFields.TryDigitsInt64(trade, Time, out milliseconds))
                {
                    return false;
                }

                break;
            default:
                if (!JsonFields.TryInt64(trade, Time, out milliseconds))
                {
                    return false;
                }

                break;
        }

        if (milliseconds <= 0 || milliseconds > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            return false;
        }

        time = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
        return true;
    }
}
