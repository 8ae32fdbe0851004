using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PriceActors.Tests.Grains.Feeds.Live;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Feeds;

/// <summary>
/// <c>/mode</c> in the embedded system: switching needs the admin key; a switch under load starts a new epoch, the live
/// trades become the instrument's whole history in it (no synthetic trade mixed in), and switching back starts another.
/// </summary>
public sealed class ModeSwitchTests
{
    private const string AdminKey = "s3cret-admin-key";

    [Fact]
    public async Task SwitchingModes_UnderLoad_StartsANewEpochEachTime_AndNeverMixesTestAndLiveTrades()
    {
        var format = FakeFormat.Of("binance");
        await using var binance = await FakeExchange.StartAsync(format);
        await using var gateway = await LiveModeTests.StartAsync(
            $"--Admin:Key={AdminKey}",
            "--Feeds:Synthetic:TicksPerSecond=50",
            $"--Feeds:Binance:Url={binance.Url}", "--Feeds:Binance:Symbols:0=BTCUSDT", "--Feeds:Binance:Symbols:1=ETHUSDT",
            "--Feeds:Kraken:Enabled=false", "--Feeds:Coinbase:Enabled=false", "--Feeds:Bybit:Enabled=false", "--Feeds:Okx:Enabled=false",
            "--Feeds:Connection:ReconnectDelay=00:00:00.050");
        var http = gateway.Http;

        var test = await http.GetFromJsonAsync<JsonElement>("/mode");
        Assert.Equal("test", test.GetProperty("mode").GetString());
        var synthetic = await Eventually.ValueAsync(() => LatestAsync(http, "binance/BTCUSDT"), p => p is { } x && x.GetProperty("sequence").GetInt64() > 5, TimeSpan.FromSeconds(30));
        Assert.Equal(test.GetProperty("epoch").GetInt64(), synthetic!.Value.GetProperty("epoch").GetInt64());

        using (var noKey = await http.PostAsync("/mode/live", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
            Assert.Equal("application/problem+json", noKey.Content.Headers.ContentType?.MediaType);
        }

        using (var wrongKey = await PostAsync(http, "/mode/live", "not-the-key"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
            Assert.DoesNotContain(AdminKey, await wrongKey.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var toLive = await PostAsync(http, "/mode/live", AdminKey);
        Assert.Equal(HttpStatusCode.OK, toLive.StatusCode);
        var live = await toLive.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("live", true), (live.GetProperty("mode").GetString(), live.GetProperty("switched").GetBoolean()));
        var liveEpoch = live.GetProperty("epoch").GetInt64();
        Assert.True(liveEpoch > test.GetProperty("epoch").GetInt64());

        await binance.WaitForSubscriptionAsync(1);
        var sent = await new LiveTape(format).SendAsync(binance, 10);
        var btc = sent.Where(t => t.Native == "BTCUSDT").ToList();
        var latest = await Eventually.ValueAsync(
            () => LatestAsync(http, "binance/BTCUSDT"),
            p => p is { } x && x.GetProperty("epoch").GetInt64() == liveEpoch && x.GetProperty("sequence").GetInt64() == btc.Count,
            TimeSpan.FromSeconds(30));
        Assert.Equal(decimal.Parse(btc[^1].Price, System.Globalization.CultureInfo.InvariantCulture), latest!.Value.GetProperty("price").GetDecimal());

        // Only live trades in the window of the live epoch: count and volume are the sent trades'.
        var stats = await http.GetFromJsonAsync<JsonElement>("/prices/stats/binance/BTCUSDT?period=15m");
        Assert.Equal(btc.Count, stats.GetProperty("count").GetInt64());
        Assert.Equal(btc.Sum(t => decimal.Parse(t.Quantity, System.Globalization.CultureInfo.InvariantCulture)), stats.GetProperty("volume").GetDecimal());
        var instruments = await http.GetFromJsonAsync<List<JsonElement>>("/instruments");
        Assert.Equal(["binance:BTCUSDT", "binance:ETHUSDT"], instruments!.Select(i => $"{i.GetProperty("exchange").GetString()}:{i.GetProperty("symbol").GetString()}").Order());
        using (var gone = await http.GetAsync("/prices/latest/okx/BTCUSDT"))
        {
            Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        }

        var feeds = await LiveModeTests.FeedsAsync(gateway);
        Assert.Equal("live", feeds.GetProperty("data").GetProperty("binance").GetProperty("mode").GetString());
        Assert.Equal(liveEpoch, feeds.GetProperty("data").GetProperty("binance").GetProperty("epoch").GetInt64());

        using var again = await PostAsync(http, "/mode/live", AdminKey);
        Assert.False((await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("switched").GetBoolean());

        using var toTest = await PostAsync(http, "/mode/test", AdminKey);
        var testAgain = (await toTest.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("epoch").GetInt64();
        Assert.True(testAgain > liveEpoch);
        var back = await Eventually.ValueAsync(
            () => LatestAsync(http, "binance/BTCUSDT"),
            p => p is { } x && x.GetProperty("epoch").GetInt64() == testAgain && x.GetProperty("sequence").GetInt64() > 3,
            TimeSpan.FromSeconds(30));

        // Synthetic BTC starts near 97,000; the fake exchange traded near 89,000: none of that in the new epoch's window.
        var window = await http.GetFromJsonAsync<JsonElement>("/prices/stats/binance/BTCUSDT?period=15m");
        Assert.True(window.GetProperty("low").GetDecimal() > 90_000m, $"the test epoch's window holds a live price: {window}");
        var after = await LatestAsync(http, "binance/BTCUSDT");
        Assert.InRange(window.GetProperty("count").GetInt64(), back!.Value.GetProperty("sequence").GetInt64(), after!.Value.GetProperty("sequence").GetInt64());
        await Eventually.HoldsAsync(
            async () => (await LiveModeTests.FeedAsync(gateway, "binance")).GetProperty("source").GetString() == "synthetic",
            TimeSpan.FromSeconds(10),
            "binance's feed synthetic again");
    }

    [Fact]
    public async Task Switching_WithoutAConfiguredAdminKey_Answers403SayingHowToSetOne()
    {
        await using var gateway = await LiveModeTests.StartAsync();

        using var refused = await PostAsync(gateway.Http, "/mode/live", "anything");

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Admin:Key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("test", (await gateway.Http.GetFromJsonAsync<JsonElement>("/mode")).GetProperty("mode").GetString());
    }

    private static async Task<JsonElement?> LatestAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync($"/prices/latest/{path}");
        return response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<JsonElement>() : null;
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string path, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add("X-Admin-Key", key);
        return http.SendAsync(request);
    }
}
