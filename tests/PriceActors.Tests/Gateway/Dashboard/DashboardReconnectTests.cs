using System.Globalization;
using PriceActors.Tests.Gateway.Feeds;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Dashboard;

/// <summary>The page across a restart of its gateway: it says it is reconnecting, then resumes, in a real Chromium.</summary>
public sealed class DashboardReconnectTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task Page_ItsGatewayRestarts_ShowsReconnectingThenLiveAgainWithoutGaps()
    {
        var port = FreePort.Next().ToString(CultureInfo.InvariantCulture);
        var gateway = await LiveModeTests.StartAsync("--urls", $"http://127.0.0.1:{port}");
        await using var chromium = await HeadlessChromium.LaunchAsync(Patience);
        const string Instrument = "okx:BTCUSDT";
        PageState before;
        try
        {
            await chromium.NavigateAsync(new Uri(gateway.Http.BaseAddress!, "/#okx:BTCUSDT/5s"));
            before = await PageState.WaitAsync(chromium, Instrument, s => s is { Status: "live", Sequence: > 3, Candles: > 0 }, Patience);
        }
        finally
        {
            await gateway.DisposeAsync();
        }

        var lost = await PageState.WaitAsync(chromium, Instrument, s => s.Status == "reconnecting", Patience);
        await using var restarted = await LiveModeTests.StartAsync("--urls", $"http://127.0.0.1:{port}");
        var back = await PageState.WaitAsync(chromium, Instrument, s => s is { Status: "live", Reconnects: > 0, Resets: > 0, Sequence: > 3 }, Patience);

        Assert.Equal(("live", "reconnecting"), (before.Status, lost.Status));
        Assert.Equal("live", back.Status);
        Assert.Equal("0", back.Gaps);

        // The new gateway's pairs started a new epoch: the page was told (a reset) and took their sequences from there.
        Assert.True(back.Resets >= 1, $"resets {back.Resets}");
    }
}
