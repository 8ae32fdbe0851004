using System.Globalization;
using System.Text.Json;
using PriceActors.Tests.Gateway.Feeds;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Dashboard;

/// <summary>The page across a restart of its gateway: it says it is reconnecting, then resumes, in a real Chromium.</summary>
public sealed class DashboardReconnectTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    private const string ReadState = """
        JSON.stringify({
          status: document.getElementById("status")?.textContent ?? "",
          gaps: document.getElementById("seq-errors")?.textContent ?? "",
          resets: Number(document.getElementById("epoch-resets")?.textContent ?? "0"),
          reconnects: window.priceActors?.view.reconnects ?? 0,
          sequence: Number(document.querySelector("tr[data-instrument='okx:BTCUSDT'] [data-field=sequence]")?.textContent ?? "0"),
          candles: window.priceActors?.candles() ?? 0,
        })
        """;

    [Fact]
    public async Task Page_ItsGatewayRestarts_ShowsReconnectingThenLiveAgainWithoutGaps()
    {
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var gateway = await LiveModeTests.StartAsync("--urls", $"http://127.0.0.1:{port}");
        await using var chromium = await HeadlessChromium.LaunchAsync(Patience);
        State before;
        try
        {
            await chromium.NavigateAsync(new Uri(gateway.Http.BaseAddress!, "/#okx:BTCUSDT/5s"));
            before = Parse(await chromium.WaitForAsync(ReadState, json => Parse(json) is { Status: "live", Sequence: > 3, Candles: > 0 }, Patience));
        }
        finally
        {
            await gateway.DisposeAsync();
        }

        var lost = Parse(await chromium.WaitForAsync(ReadState, json => Parse(json).Status == "reconnecting", Patience));
        await using var restarted = await LiveModeTests.StartAsync("--urls", $"http://127.0.0.1:{port}");
        var back = Parse(await chromium.WaitForAsync(ReadState, json => Parse(json) is { Status: "live", Reconnects: > 0, Resets: > 0 } state && state.Sequence > 3, Patience));

        Assert.Equal(("live", "reconnecting"), (before.Status, lost.Status));
        Assert.Equal("live", back.Status);
        Assert.Equal("0", back.Gaps);

        // The new gateway's pairs started a new epoch: the page was told (a reset) and took their sequences from there.
        Assert.True(back.Resets >= 1, $"resets {back.Resets}");
    }

    private static State Parse(string json) => JsonSerializer.Deserialize<State>(json, JsonSerializerOptions.Web)!;

    private sealed record State(string Status, string Gaps, int Resets, int Reconnects, long Sequence, int Candles);
}
