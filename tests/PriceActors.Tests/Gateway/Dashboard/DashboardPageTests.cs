using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Dashboard;

/// <summary>The page at <c>/</c> in a real headless Chromium against the embedded system: what a person would see.</summary>
[Collection(EmbeddedGatewayCollection.Name)]
public sealed class DashboardPageTests(EmbeddedGatewayFixture system)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    // What the page shows: the status pill, the sequence error count and each row's cells.
    private const string ReadPage = """
        JSON.stringify({
          status: document.getElementById("status")?.textContent ?? "",
          sequenceErrors: document.getElementById("seq-errors")?.textContent ?? "",
          error: document.getElementById("error")?.textContent ?? "",
          rows: [...document.querySelectorAll("tr[data-instrument]")].map(tr => ({
            instrument: tr.dataset.instrument,
            price: tr.querySelector("[data-field=price]")?.textContent ?? "",
            sequence: tr.querySelector("[data-field=sequence]")?.textContent ?? "",
          })),
        })
        """;

    [Fact]
    public async Task Root_InHeadlessChromium_ShowsEveryInstrumentLiveWithRisingSequences()
    {
        var instruments = await system.Http.GetFromJsonAsync<Instrument[]>("/instruments");
        string[] expected = [.. instruments!.Select(i => $"{i.Exchange}:{i.Symbol}").Order(StringComparer.Ordinal)];
        await using var chromium = await HeadlessChromium.LaunchAsync(Patience);

        await chromium.NavigateAsync(system.BaseAddress);
        var live = Page.Parse(await chromium.WaitForAsync(ReadPage, json => Page.Parse(json).ShowsLive(expected), Patience));

        Assert.True(live.ShowsLive(expected), $"Within {Patience.TotalSeconds} s the page should be live with a price and a sequence for each of {string.Join(", ", expected)}; it shows {live}");

        // The first values may come from GET /instruments; moving sequences come from the hub.
        var first = live.Rows.ToDictionary(r => r.Instrument, r => r.SequenceNumber);
        var later = Page.Parse(await chromium.WaitForAsync(ReadPage, json => Page.Parse(json).MovedOn(first), Patience));

        Assert.True(later.MovedOn(first), $"Every sequence should rise past {string.Join(", ", first)}; the page shows {later}");
        Assert.Equal("live", later.Status);
        Assert.Equal("0", later.SequenceErrors);
    }

    [Fact]
    public async Task Root_InHeadlessChromium_LinksTheOrleansDashboard()
    {
        const string ReadLink = """
            JSON.stringify((l => ({ shown: !!l && getComputedStyle(l).display !== "none", href: l?.href ?? "" }))(document.getElementById("orleans-dashboard")))
            """;
        await using var chromium = await HeadlessChromium.LaunchAsync(Patience);

        await chromium.NavigateAsync(system.BaseAddress);
        var link = JsonSerializer.Deserialize<Link>(await chromium.WaitForAsync(ReadLink, json => JsonSerializer.Deserialize<Link>(json, JsonSerializerOptions.Web)!.Shown, Patience), JsonSerializerOptions.Web)!;

        Assert.True(link.Shown, "The page should show its link to the Orleans Dashboard once /dashboard/ answers.");
        Assert.Equal(new Uri(system.BaseAddress, "/dashboard/"), new Uri(link.Href));
    }

    [Fact]
    public async Task Root_InHeadlessChromium_ShowsEachFeedsStateTicksAndTradesPerSecond()
    {
        const string ReadFeeds = """
            JSON.stringify({
              mode: document.getElementById("feed-mode")?.textContent ?? "",
              feeds: [...document.querySelectorAll("#feed-rows tr")].map(tr => ({
                exchange: tr.dataset.exchange,
                state: tr.querySelector("[data-field=state]")?.textContent ?? "",
                source: tr.querySelector("[data-field=source]")?.textContent ?? "",
                ticks: Number(tr.querySelector("[data-field=ticks]")?.textContent ?? "0"),
                rate: tr.querySelector("[data-field=rate]")?.textContent ?? "",
              })),
            })
            """;
        var feeds = await system.Http.GetFromJsonAsync<JsonElement>("/feeds");
        string[] exchanges = [.. feeds.GetProperty("feeds").EnumerateArray().Select(f => f.GetProperty("exchange").GetString()!)];
        await using var chromium = await HeadlessChromium.LaunchAsync(Patience);

        await chromium.NavigateAsync(system.BaseAddress);
        var shown = JsonSerializer.Deserialize<FeedPanel>(
            await chromium.WaitForAsync(ReadFeeds, json => JsonSerializer.Deserialize<FeedPanel>(json, JsonSerializerOptions.Web)!.Feeds is { } f && f.Length == exchanges.Length && f.All(r => r.TradesPerSecond > 0), Patience),
            JsonSerializerOptions.Web)!;

        Assert.Equal("test", shown.Mode);
        Assert.Equal(exchanges, shown.Feeds.Select(f => f.Exchange));
        Assert.All(shown.Feeds, f => Assert.Equal(("running", "synthetic"), (f.State, f.Source)));
        Assert.All(shown.Feeds, f => Assert.True(f.Ticks > 0, $"{f.Exchange} shows no ticks"));

        // A synthetic feed's trades per second come from its ticks between two reads of /feeds.
        Assert.All(shown.Feeds, f => Assert.True(f.TradesPerSecond > 0, $"{f.Exchange} shows trades/s '{f.Rate}'"));
    }

    private sealed record FeedPanel(string Mode, FeedRow[] Feeds);

    private sealed record FeedRow(string Exchange, string State, string Source, long Ticks, string Rate)
    {
        public double TradesPerSecond => double.TryParse(Rate, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : -1;
    }

    private sealed record Link(bool Shown, string Href);

    private sealed record Instrument(string Exchange, string Symbol);

    private sealed record Row(string Instrument, string Price, string Sequence)
    {
        public long SequenceNumber => long.TryParse(Sequence, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : -1;

        public bool HasPrice => decimal.TryParse(Price, NumberStyles.Number, CultureInfo.InvariantCulture, out var value) && value > 0m;
    }

    private sealed record Page(string Status, string SequenceErrors, string Error, Row[] Rows)
    {
        public static Page Parse(string json) => JsonSerializer.Deserialize<Page>(json, JsonSerializerOptions.Web)!;

        public bool ShowsLive(string[] instruments) =>
            Status == "live"
            && Rows.Select(r => r.Instrument).Order(StringComparer.Ordinal).SequenceEqual(instruments)
            && Rows.All(r => r.HasPrice && r.SequenceNumber > 0);

        public bool MovedOn(Dictionary<string, long> before) =>
            Rows.Length == before.Count && Rows.All(r => r.HasPrice && r.SequenceNumber > before.GetValueOrDefault(r.Instrument, long.MaxValue));

        public override string ToString() =>
            $"status '{Status}', sequence errors '{SequenceErrors}', error '{Error}', rows [{string.Join("; ", Rows.Select(r => $"{r.Instrument} price '{r.Price}' sequence '{r.Sequence}'"))}]";
    }
}
