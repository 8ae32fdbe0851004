using System.Text.Json;

namespace PriceActors.Grains.Feeds.Live;

/// <summary>A message whose trades are an array: every trade or none of them goes to the caller's list.</summary>
internal static class TradeArrays
{
    /// <summary>Reads one trade; null when it was added, else what is wrong with it.</summary>
    public delegate string? TradeReader(JsonElement trade, DateTimeOffset receivedAt, List<Tick> trades);

    public static FeedFrame Parse(JsonElement root, string property, DateTimeOffset receivedAt, List<Tick> trades, ReadOnlySpan<byte> frame, TradeReader read)
    {
        if (!root.TryGetProperty(property, out var data) || data.ValueKind != JsonValueKind.Array)
        {
            return FeedFrame.Malformed($"trade message without a {property} array: {FeedFrame.Excerpt(frame)}");
        }

        var first = trades.Count;
        foreach (var trade in data.EnumerateArray())
        {
            var problem = trade.ValueKind == JsonValueKind.Object ? read(trade, receivedAt, trades) : "a trade that is not an object";
            if (problem is not null)
            {
                trades.RemoveRange(first, trades.Count - first);
                return FeedFrame.Malformed($"{problem}: {FeedFrame.Excerpt(frame)}");
            }
        }

        return new FeedFrame(FeedFrameKind.Trades, trades.Count - first);
    }
}
