using System.Globalization;
using System.Xml;

namespace PriceActors.Gateway.Api;

/// <summary>Reads a period such as <c>90s</c>, <c>5m</c>, <c>1h</c>, <c>1d</c>, <c>PT5M</c> or <c>00:05:00</c>.</summary>
internal static class PeriodParser
{
    /// <summary>Longer periods are refused before arithmetic can overflow; windows are far shorter.</summary>
    private const double MaxSeconds = 366 * 24 * 3600;

    public static bool TryParse(string text, out TimeSpan period)
    {
        period = default;
        if (string.IsNullOrWhiteSpace(text) || text.Length > 32)
        {
            return false;
        }

        var unit = char.ToLowerInvariant(text[^1]);
        if (unit is 's' or 'm' or 'h' or 'd' && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            var seconds = amount * unit switch { 's' => 1, 'm' => 60, 'h' => 3600, _ => 86_400 };
            if (seconds > MaxSeconds)
            {
                return false;
            }

            period = TimeSpan.FromSeconds(seconds);
            return true;
        }

        if (text.StartsWith('P') || text.StartsWith('p'))
        {
            try
            {
                period = XmlConvert.ToTimeSpan(text.ToUpperInvariant());
                return true;
            }
            catch (Exception error) when (error is FormatException or OverflowException)
            {
                return false;
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out period);
    }
}
