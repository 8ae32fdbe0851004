using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace PriceActors.Gateway.Streaming;

/// <summary>
/// The id of a server-sent event: the position of every instrument of the stream, in the order the request named them,
/// so a client reconnecting with it (<c>Last-Event-ID</c>, or <c>?since=</c>) resumes all of them on any gateway. The
/// form is <c>{epoch}:{p1}.{p2}…</c>: each position is the sequence of that instrument's last update, <c>{sequence}@{epoch}</c>
/// when its epoch is not the first one, or <c>-</c> before its first update, e.g. <c>1765100000000:1234.77@1765100000001.-</c>.
/// An id grows by about seven bytes per instrument, which is why a stream carries at most <see cref="MaxInstruments"/>.
/// </summary>
public static class SsePositions
{
    /// <summary>Instruments one event stream may carry, which keeps an id under about a kilobyte.</summary>
    public const int MaxInstruments = 100;

    /// <summary>Writes the id of <paramref name="positions"/>.</summary>
    /// <param name="positions">One per instrument, null before its first update.</param>
    public static string Format(IReadOnlyList<StreamPosition?> positions)
    {
        var epoch = positions.FirstOrDefault(p => p is not null)?.Epoch ?? 0;
        var id = new StringBuilder(16 + (8 * positions.Count));
        id.Append(CultureInfo.InvariantCulture, $"{epoch}:");
        for (var i = 0; i < positions.Count; i++)
        {
            if (i > 0)
            {
                id.Append('.');
            }

            if (positions[i] is not { } position)
            {
                id.Append('-');
            }
            else if (position.Epoch == epoch)
            {
                id.Append(position.Sequence);
            }
            else
            {
                id.Append(CultureInfo.InvariantCulture, $"{position.Sequence}@{position.Epoch}");
            }
        }

        return id.ToString();
    }

    /// <summary>Reads an id written by <see cref="Format"/> for a stream of <paramref name="count"/> instruments.</summary>
    /// <param name="text">The id.</param>
    /// <param name="count">The stream's instruments.</param>
    /// <param name="positions">One per instrument, null where the id has none.</param>
    /// <param name="error">Why the id is not one of this stream's.</param>
    public static bool TryParse(string text, int count, [NotNullWhen(true)] out StreamPosition?[]? positions, [NotNullWhen(false)] out string? error)
    {
        positions = null;
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !long.TryParse(text.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch))
        {
            error = $"'{Shorten(text)}' is not a stream position: expected '{{epoch}}:{{sequence}}.{{sequence}}…' as the events' ids carry.";
            return false;
        }

        var items = text[(colon + 1)..].Split('.');
        if (items.Length != count)
        {
            error = $"The position has {items.Length} instruments, the stream {count}: reconnect with the same instruments in the same order.";
            return false;
        }

        var parsed = new StreamPosition?[count];
        for (var i = 0; i < count; i++)
        {
            var item = items[i];
            if (item == "-")
            {
                continue;
            }

            var at = item.IndexOf('@', StringComparison.Ordinal);
            var itemEpoch = epoch;
            if ((at < 0 ? !long.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
                    : !long.TryParse(item.AsSpan(0, at), NumberStyles.None, CultureInfo.InvariantCulture, out sequence)
                    || !long.TryParse(item.AsSpan(at + 1), NumberStyles.None, CultureInfo.InvariantCulture, out itemEpoch)))
            {
                error = $"Position {i + 1} ('{Shorten(item)}') is not '{{sequence}}', '{{sequence}}@{{epoch}}' or '-'.";
                return false;
            }

            parsed[i] = new StreamPosition(itemEpoch, sequence);
        }

        positions = parsed;
        error = null;
        return true;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
