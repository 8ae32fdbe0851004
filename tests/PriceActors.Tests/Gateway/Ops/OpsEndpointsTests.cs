using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PriceActors.Tests.Gateway.Dashboard;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Ops;

/// <summary>The operations view on the embedded system: its data and its page in a real Chromium.</summary>
[Collection(EmbeddedGatewayCollection.Name)]
public sealed class OpsEndpointsTests(EmbeddedGatewayFixture system)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Data_WhileAClientStreams_HasTheGatewaysDeliveriesAndTheSilosStreamsAndPairs()
    {
        await using var client = await WsTestClient.ConnectAsync(WsTestClient.AddressOf(system.BaseAddress, "/ws/binance/solusdt?candleInterval=none"));
        await client.NextAsync("price_update", Patience);

        var processes = await Eventually.ValueAsync(
            () => system.Http.GetFromJsonAsync<JsonElement[][]>("/ops/data"),
            p => Gateway(p) is { } g && g.GetProperty("gauges").TryGetProperty("connections.websocket", out var open) && open.GetDouble() >= 1
                && g.GetProperty("counters").GetProperty("delivered").GetInt64() > 0
                && Silo(p) is { } s && s.GetProperty("streams").GetArrayLength() > 0 && s.GetProperty("pairs").GetArrayLength() > 0,
            Patience);

        var silo = Silo(processes!)!.Value;
        Assert.True(silo.GetProperty("counters").GetProperty("ticks").GetInt64() > 0);
        Assert.All(silo.GetProperty("streams").EnumerateArray(), s => Assert.True(
            s.GetProperty("ticks").GetInt64() >= s.GetProperty("deliveries").GetInt64() && s.GetProperty("deliveries").GetInt64() > 0, $"{s}"));
        Assert.All(silo.GetProperty("pairs").EnumerateArray(), p => Assert.True(
            p.GetProperty("ticks").GetInt64() >= p.GetProperty("batches").GetInt64() && p.GetProperty("batches").GetInt64() > 0, $"{p}"));
        Assert.Contains(silo.GetProperty("pairs").EnumerateArray(), p => p.GetProperty("instrument").GetString()!.Contains(':', StringComparison.Ordinal));
        Assert.True(processes!.All(p => p.Length >= 1 && p.Length <= 150));
    }

    [Fact]
    public async Task Data_After_OnlyLaterReportsAndOfAProcessWithNoneItsNewest()
    {
        var full = await Eventually.ValueAsync(
            () => system.Http.GetFromJsonAsync<JsonElement[][]>("/ops/data"),
            p => p is { Length: >= 2 } && p.All(r => r.Length >= 2),
            Patience);
        var gateway = full!.Single(r => r[^1].GetProperty("role").GetString() == "gateway");
        var after = gateway[^2].GetProperty("at").GetString()!;

        var later = await system.Http.GetFromJsonAsync<JsonElement[][]>($"/ops/data?after={Uri.EscapeDataString(after)}");

        var since = DateTimeOffset.Parse(after, CultureInfo.InvariantCulture);
        Assert.Equal(full!.Length, later!.Length);
        var laterGateway = later.Single(r => r[^1].GetProperty("role").GetString() == "gateway");
        Assert.Equal(gateway[^1].GetProperty("at").GetString(), laterGateway[0].GetProperty("at").GetString());
        Assert.All(later, reports => Assert.True(
            reports.All(r => r.GetProperty("at").GetDateTimeOffset() > since) || reports.Length == 1,
            $"{reports[^1].GetProperty("id")}: {string.Join(", ", reports.Select(r => r.GetProperty("at")))} after {after}"));

        var future = await system.Http.GetFromJsonAsync<JsonElement[][]>($"/ops/data?after={DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds()}");
        Assert.Equal(full.Length, future!.Length);
        Assert.All(future, reports => Assert.Single(reports));
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("2026-13-01T00:00:00Z")]
    public async Task Data_BadAfter_400ListingTheAcceptedForms(string after)
    {
        var response = await system.Http.GetAsync($"/ops/data?after={Uri.EscapeDataString(after)}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("ISO 8601", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("Unix milliseconds", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Page_InChromium_ShowsTheGatewayTheSiloAndTheirStreams_PollingOnlyForNewReports()
    {
        const string Read = """
            JSON.stringify({
              gateways: document.querySelectorAll("#gateways tr").length,
              silos: document.querySelectorAll("#silos tr").length,
              streams: document.querySelectorAll("#streams tr").length,
              pairs: document.querySelectorAll("#pairs tr").length,
            })
            """;
        await using var chromium = await HeadlessChromium.LaunchAsync(Patience);

        var opened = DateTimeOffset.UtcNow;
        await chromium.NavigateAsync(new Uri(system.BaseAddress, "/ops"));
        var shown = JsonSerializer.Deserialize<Shown>(
            await chromium.WaitForAsync(Read, json => JsonSerializer.Deserialize<Shown>(json, JsonSerializerOptions.Web) is { Gateways: >= 1, Silos: >= 1, Streams: > 0, Pairs: > 0 }, Patience),
            JsonSerializerOptions.Web)!;

        Assert.Equal((1, 1), (shown.Gateways, shown.Silos));
        Assert.True(shown.Streams > 0 && shown.Pairs > 0, $"{shown}");

        // The page polls for what came after what it holds and keeps each process's reports in order, none twice: wait for
        // two reports of every process made after its first poll.
        var held = await chromium.WaitForAsync(
            "JSON.stringify(window.priceActorsOps.held())",
            json => JsonSerializer.Deserialize<Dictionary<string, DateTimeOffset[]>>(json)!.Values.All(a => a.Count(t => t > opened.AddSeconds(1)) >= 2),
            Patience);
        var server = await system.Http.GetFromJsonAsync<JsonElement[][]>("/ops/data");
        foreach (var (id, times) in JsonSerializer.Deserialize<Dictionary<string, DateTimeOffset[]>>(held)!)
        {
            var all = server!.Single(r => r[^1].GetProperty("id").GetString() == id).Select(r => r.GetProperty("at").GetDateTimeOffset()).ToList();
            Assert.True(times.Zip(times.Skip(1)).All(p => p.First < p.Second), $"{id}: {string.Join(", ", times)}");
            Assert.Subset(all.ToHashSet(), times.ToHashSet());
            Assert.Equal(all.Count(t => t >= times[0] && t <= times[^1]), times.Length);
        }

        var sparklines = await chromium.EvaluateAsync("String(document.querySelectorAll('#streams tr svg.spark').length / document.querySelectorAll('#streams tr').length)");
        Assert.Equal("2", sparklines);
    }

    private static JsonElement? Gateway(JsonElement[][]? processes) => Last(processes, "gateway");

    private static JsonElement? Silo(JsonElement[][]? processes) => Last(processes, "silo");

    private static JsonElement? Last(JsonElement[][]? processes, string role) =>
        processes?.Select(p => p[^1]).Where(r => r.GetProperty("role").GetString() == role).Cast<JsonElement?>().FirstOrDefault();

    private sealed record Shown(int Gateways, int Silos, int Streams, int Pairs);
}
