using System.Text.Json;

namespace PriceActors.Tests.Gateway.Dashboard;

/// <summary>What the price page shows of its connection and of one instrument, read from the page in Chromium.</summary>
internal sealed record PageState(string Status, string Gaps, int Resets, int Reconnects, long Sequence, int Candles)
{
    /// <summary>Waits until the page's state for <paramref name="instrument"/> satisfies <paramref name="done"/>, and returns it.</summary>
    public static async Task<PageState> WaitAsync(HeadlessChromium chromium, string instrument, Func<PageState, bool> done, TimeSpan timeout) =>
        Parse(await chromium.WaitForAsync(Read(instrument), json => done(Parse(json)), timeout));

    private static string Read(string instrument) => $$"""
        JSON.stringify({
          status: document.getElementById("status")?.textContent ?? "",
          gaps: document.getElementById("seq-errors")?.textContent ?? "",
          resets: Number(document.getElementById("epoch-resets")?.textContent ?? "0"),
          reconnects: window.priceActors?.view.reconnects ?? 0,
          sequence: Number(document.querySelector("tr[data-instrument='{{instrument}}'] [data-field=sequence]")?.textContent ?? "0"),
          candles: window.priceActors?.candles() ?? 0,
        })
        """;

    private static PageState Parse(string json) => JsonSerializer.Deserialize<PageState>(json, JsonSerializerOptions.Web)!;
}
