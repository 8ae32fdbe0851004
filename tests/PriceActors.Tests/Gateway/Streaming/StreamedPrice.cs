using System.Text.Json;

namespace PriceActors.Tests.Gateway.Streaming;

/// <summary>A price update as a transport delivered it (<c>LivePrice</c> in JSON).</summary>
internal sealed record StreamedPrice(string Key, decimal Price, long Sequence, long Epoch, long FirstSequence, bool Conflated)
{
    public static StreamedPrice From(JsonElement e) => new(
        $"{e.GetProperty("exchange").GetString()}:{e.GetProperty("symbol").GetString()}",
        e.GetProperty("price").GetDecimal(),
        e.GetProperty("sequence").GetInt64(),
        e.GetProperty("epoch").GetInt64(),
        e.GetProperty("firstSequence").GetInt64(),
        e.GetProperty("conflated").GetBoolean());

    /// <summary>A gRPC <c>PriceUpdate</c>, its decimal strings parsed.</summary>
    public static StreamedPrice From(PriceActors.Grpc.PriceUpdate p) => new(
        $"{p.Exchange}:{p.Symbol}", decimal.Parse(p.Price, System.Globalization.CultureInfo.InvariantCulture), p.Sequence, p.Epoch, p.FirstSequence, p.Conflated);

    /// <summary>
    /// Asserts that each instrument's updates continue one another: every update starts right after the previous one
    /// ended (no gap, no repeat) in one epoch.
    /// </summary>
    public static void AssertContinuous(IEnumerable<StreamedPrice> updates)
    {
        foreach (var stream in updates.GroupBy(u => u.Key))
        {
            var list = stream.ToList();
            Assert.Single(list.Select(u => u.Epoch).Distinct());
            foreach (var (previous, next) in list.Zip(list.Skip(1)))
            {
                Assert.True(
                    next.FirstSequence == previous.Sequence + 1 && next.Sequence >= next.FirstSequence,
                    $"{stream.Key}: {previous.FirstSequence}..{previous.Sequence} then {next.FirstSequence}..{next.Sequence}");
            }
        }
    }
}
