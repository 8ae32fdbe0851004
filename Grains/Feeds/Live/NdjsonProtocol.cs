using System.Globalization;
using System.Text.Json;

namespace PriceActors.Grains.Feeds.Live;

/// <summary>
/// Newline-delimited JSON over TCP: each line one trade object whose property names <see cref="NdjsonFormat"/> gives.
/// A line that is not such an object comes back <see cref="FeedFrameKind.Malformed"/> with the reason; parsing never
/// throws for what the source sent.
/// </summary>
public static class NdjsonProtocol
{
    private static readonly char[] Separators = ['/', '-', '_', ':'];

    /// <summary>The canonical symbol of a native one: base and quote in upper case, separators dropped (BTC-USD → BTCUSD).</summary>
    public static string CanonicalSymbol(string native) => string.Concat(native.Split(Separators, StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();

    /// <summary>
    /// Parses one line; its trade goes to <paramref name="trades"/>, stamped <paramref name="receivedAt"/>. A line without
    /// a trade id gets <paramref name="assignId"/>'s for its instrument.
    /// </summary>
    public static FeedFrame Parse(ReadOnlySpan<byte> line, NdjsonFormat format, DateTimeOffset receivedAt, List<Tick> trades, Func<InstrumentKey, long> assignId)
    {
        line = line.Trim(" \t\r\n"u8);
        if (line.IsEmpty)
        {
            return new FeedFrame(FeedFrameKind.Control);
        }

        if (!FeedFrame.TryParseObject(line, out var document, out var malformed))
        {
            return malformed;
        }

        using (document)
        {
            var root = document.RootElement;

            if (!root.TryGetProperty(format.Symbol, out var symbol) || symbol.ValueKind != JsonValueKind.String
                || !InstrumentKey.TryCreate(format.Exchange, CanonicalSymbol(symbol.GetString()!), out var instrument, out _))
            {
                return FeedFrame.Malformed($"no valid '{format.Symbol}': {FeedFrame.Excerpt(line)}");
            }

            if (!JsonFields.TryDecimal(root, format.Price, numbers: true, out var price) || price <= 0)
            {
                return FeedFrame.Malformed($"trade of {instrument} without a positive '{format.Price}': {FeedFrame.Excerpt(line)}");
            }

            if (!JsonFields.TryDecimal(root, format.Quantity, numbers: true, out var quantity) || quantity < 0)
            {
                return FeedFrame.Malformed($"trade of {instrument} without a '{format.Quantity}': {FeedFrame.Excerpt(line)}");
            }

            if (!TryTime(root, format.Timestamp, out var time))
            {
                return FeedFrame.Malformed($"trade of {instrument} without a valid '{format.Timestamp}': {FeedFrame.Excerpt(line)}");
            }

            long id;
            if (root.TryGetProperty(format.TradeId, out var idElement))
            {
                if (idElement.ValueKind != JsonValueKind.Number || !idElement.TryGetInt64(out id) || id < 0)
                {
                    return FeedFrame.Malformed($"trade of {instrument} with a '{format.TradeId}' that is not a whole number: {FeedFrame.Excerpt(line)}");
                }
            }
            else
            {
                id = assignId(instrument);
            }

            trades.Add(new Tick(instrument, price, quantity, id, time, receivedAt));
            return new FeedFrame(FeedFrameKind.Trades, 1);
        }
    }

    private static bool TryTime(JsonElement root, string name, out DateTimeOffset time)
    {
        time = default;
        if (!root.TryGetProperty(name, out var property))
        {
            return false;
        }

        if (property.ValueKind == JsonValueKind.Number && property.TryGetDouble(out var milliseconds)
            && milliseconds > 0 && milliseconds < DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
        {
            time = DateTimeOffset.UnixEpoch + TimeSpan.FromTicks((long)(milliseconds * TimeSpan.TicksPerMillisecond));
            return true;
        }

        return property.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(property.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time);
    }
}
