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
        Assert.All(silo.GetProperty("streams").EnumerateArray(), s => Assert.True(s.GetProperty("ticks").GetInt64() > 0));
        Assert.Contains(silo.GetProperty("pairs").EnumerateArray(), p => p.GetProperty("instrument").GetString()!.Contains(':', StringComparison.Ordinal));
        Assert.True(processes!.All(p => p.Length >= 1 && p.Length <= 150));
    }

    [Fact]
    public async Task Page_InChromium_ShowsTheGatewayTheSiloAndTheirStreams()
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

        await chromium.NavigateAsync(new Uri(system.BaseAddress, "/ops"));
        var shown = JsonSerializer.Deserialize<Shown>(
            await chromium.WaitForAsync(Read, json => JsonSerializer.Deserialize<Shown>(json, JsonSerializerOptions.Web) is { Gateways: >= 1, Silos: >= 1, Streams: > 0, Pairs: > 0 }, Patience),
            JsonSerializerOptions.Web)!;

        Assert.Equal((1, 1), (shown.Gateways, shown.Silos));
        Assert.True(shown.Streams > 0 && shown.Pairs > 0, $"{shown}");
    }

    private static JsonElement? Gateway(JsonElement[][]? processes) => Last(processes, "gateway");

    private static JsonElement? Silo(JsonElement[][]? processes) => Last(processes, "silo");

    private static JsonElement? Last(JsonElement[][]? processes, string role) =>
        processes?.Select(p => p[^1]).Where(r => r.GetProperty("role").GetString() == role).Cast<JsonElement?>().FirstOrDefault();

    private sealed record Shown(int Gateways, int Silos, int Streams, int Pairs);
}
