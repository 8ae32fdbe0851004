using System.Net;
using System.Text.Json;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Dashboard;

/// <summary>The page's chart, comparison, search and vendored libraries in a real headless Chromium against the embedded system.</summary>
[Collection(EmbeddedGatewayCollection.Name)]
public sealed class DashboardChartTests(EmbeddedGatewayFixture system)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private const string ReadChart = """
        JSON.stringify({
          candles: window.priceActors?.candles() ?? 0,
          closed: window.priceActors?.view.closedCandles ?? 0,
          lastClosed: window.priceActors?.view.lastClosed ?? null,
          interval: window.priceActors?.interval() ?? "",
          selected: window.priceActors?.selected() ?? "",
          canvas: !!document.querySelector("#chart canvas"),
          title: document.getElementById("chart-title")?.textContent ?? "",
          compare: [...document.querySelectorAll("#compare-rows tr")].map(tr => tr.dataset.exchange),
          consolidated: document.querySelector("#consolidated b")?.textContent ?? "",
          status: document.getElementById("status")?.textContent ?? "",
        })
        """;

    [Fact]
    public async Task Chart_TheSelectedInstrument_DrawsItsHistoryThenAppendsTheCandlesThatClose()
    {
        await using var chromium = await HeadlessChromium.LaunchAsync(Patience);

        await chromium.NavigateAsync(new Uri(system.BaseAddress, "/#okx:BTCUSDT/5s"));
        var drawn = Parse(await chromium.WaitForAsync(ReadChart, json => Parse(json) is { Canvas: true, Candles: > 0, Status: "live" }, Patience));
        var closed = Parse(await chromium.WaitForAsync(ReadChart, json => Parse(json).Closed >= 2, Patience));

        Assert.Equal(("okx:BTCUSDT", "5s", "BTCUSDT · okx"), (drawn.Selected, drawn.Interval, drawn.Title));
        Assert.True(closed.Candles >= drawn.Candles, $"{drawn.Candles} candles, then {closed.Candles}");
        var lastClosed = DateTimeOffset.Parse(closed.LastClosed!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, lastClosed.ToUnixTimeSeconds() % 5);
        Assert.True(DateTimeOffset.UtcNow - lastClosed < TimeSpan.FromSeconds(20), $"the last closed candle opened at {lastClosed:O}");
    }

    [Fact]
    public async Task Chart_AnotherInterval_LoadsItsCandles()
    {
        await using var chromium = await HeadlessChromium.LaunchAsync(Patience);
        await chromium.NavigateAsync(new Uri(system.BaseAddress, "/#binance:ETHUSDT/5s"));
        await chromium.WaitForAsync(ReadChart, json => Parse(json) is { Candles: > 0, Status: "live" }, Patience);

        await chromium.EvaluateAsync("""document.querySelector("#intervals button[data-interval='1m']").click(), "clicked" """);
        var minute = Parse(await chromium.WaitForAsync(ReadChart, json => Parse(json) is { Interval: "1m", Candles: > 0 }, Patience));

        Assert.Equal("binance:ETHUSDT", minute.Selected);
    }

    [Fact]
    public async Task Compare_TheSelectedSymbol_ShowsEveryExchangeAndTheConsolidatedPrice()
    {
        await using var chromium = await HeadlessChromium.LaunchAsync(Patience);

        await chromium.NavigateAsync(new Uri(system.BaseAddress, "/#bybit:SOLUSDT/5s"));
        var shown = Parse(await chromium.WaitForAsync(ReadChart, json => Parse(json) is { Compare.Length: 3, Consolidated: not "—" and not "" }, Patience));

        Assert.Equal(["binance", "bybit", "okx"], shown.Compare.Order());
        Assert.True(decimal.TryParse(shown.Consolidated.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture, out var price) && price > 0, shown.Consolidated);
    }

    [Fact]
    public async Task Search_AText_ShowsOnlyTheInstrumentsThatContainIt()
    {
        const string Filter = """
            (() => { const s = document.getElementById("search"); s.value = "okx"; s.dispatchEvent(new Event("input"));
              return JSON.stringify([...document.querySelectorAll("tr[data-instrument]")].filter(tr => !tr.hidden).map(tr => tr.dataset.instrument)); })()
            """;
        await using var chromium = await HeadlessChromium.LaunchAsync(Patience);
        await chromium.NavigateAsync(system.BaseAddress);
        await chromium.WaitForAsync(ReadChart, json => Parse(json).Status == "live", Patience);

        var visible = JsonSerializer.Deserialize<string[]>(await chromium.EvaluateAsync(Filter))!;

        Assert.Equal(5, visible.Length);
        Assert.All(visible, key => Assert.StartsWith("okx:", key, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/lib/microsoft-signalr/signalr.min.js", "text/javascript", "signalR")]
    [InlineData("/lib/lightweight-charts/lightweight-charts.standalone.production.js", "text/javascript", "TradingView Lightweight Charts")]
    [InlineData("/lib/lightweight-charts/NOTICE", "text/plain", "Copyright (с) 2023 TradingView, Inc. https://www.tradingview.com/")]
    [InlineData("/lib/lightweight-charts/LICENSE", "text/plain", "Apache License")]
    [InlineData("/lib/microsoft-signalr/LICENSE.txt", "text/plain", "MIT")]
    [InlineData("/", "text/html", "https://www.tradingview.com/")]
    public async Task Lib_TheVendoredLibraries_AreServedWithTheirLicencesAndTheAttribution(string path, string type, string content)
    {
        using var response = await system.Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(type, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(content, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lib_AnUnknownFile_Answers404()
    {
        using var response = await system.Http.GetAsync("/lib/nothing.js");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private static Chart Parse(string json) => JsonSerializer.Deserialize<Chart>(json, JsonSerializerOptions.Web)!;

    private sealed record Chart(int Candles, int Closed, string? LastClosed, string Interval, string Selected, bool Canvas, string Title, string[] Compare, string Consolidated, string Status);
}
