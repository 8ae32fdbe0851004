using System.Globalization;

namespace PriceActors.Tests.Grains.Feeds.Live;

/// <summary>The trades of the fake exchange's two instruments, ids consecutive per instrument, prices with their exact digits.</summary>
internal sealed class LiveTape(FakeFormat format)
{
    private readonly Dictionary<string, long> ids = format.Natives.ToDictionary(n => n, _ => 7_000_000L);
    private int made;

    public List<FakeTrade> Sent { get; } = [];

    public List<FakeTrade> Next(int count, bool aggregated = false)
    {
        var trades = new List<FakeTrade>(count);
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        for (var i = 0; i < count; i++)
        {
            var native = format.Natives[i % format.Natives.Count];
            var fills = aggregated && i < format.Natives.Count ? 3 : 1;
            var id = ids[native] += fills;
            made++;
            trades.Add(new FakeTrade(
                native, format.KeyOf(native), id,
                (89_000m + made + 0.10m).ToString("0.00", CultureInfo.InvariantCulture),
                (0.00120000m * made).ToString("0.00000000", CultureInfo.InvariantCulture),
                now.AddMilliseconds(i),
                fills));
        }

        return trades;
    }

    public async Task<List<FakeTrade>> SendAsync(FakeExchange server, int count, bool aggregated = false)
    {
        var trades = Next(count, aggregated);
        foreach (var frame in format.Frames(trades))
        {
            await server.SendAsync(frame);
        }

        Sent.AddRange(trades);
        return trades;
    }
}
