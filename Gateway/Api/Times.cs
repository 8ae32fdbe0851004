using System.Globalization;

namespace PriceActors.Gateway.Api;

/// <summary>Reads a point in time from a query: ISO 8601 (UTC when no offset is given) or Unix milliseconds.</summary>
internal static class Times
{
    public static bool TryParse(string text, out DateTimeOffset time)
    {
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds) && milliseconds < 253_402_300_800_000)
        {
            time = DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }
}
