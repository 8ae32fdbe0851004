using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PriceActors.Tests.Grains.Feeds.Live;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Feeds;

/// <summary>
/// <c>/proxy/…</c> in the embedded system with a fake Binance and a real HTTP CONNECT proxy on loopback: refused in test
/// mode (409) and without the key; in live mode the feed moves onto the proxy and off it again; credentials are never
/// answered.
/// </summary>
public sealed class ProxyEndpointsTests
{
    private const string AdminKey = "proxy-admin-key";

    [Fact]
    public async Task ProxyEndpoints_SwitchTheLiveFeedOntoAndOffTheProxy_AndRefuseInTestMode()
    {
        var format = FakeFormat.Of("binance");
        await using var binance = await FakeExchange.StartAsync(format);
        await using var proxy = TestProxy.Start("feeds", "hunter2-secret");
        await using var gateway = await LiveModeTests.StartAsync(
            $"--Admin:Key={AdminKey}",
            $"--Feeds:Binance:Url={binance.Url}",
            "--Feeds:Kraken:Enabled=false", "--Feeds:Coinbase:Enabled=false", "--Feeds:Bybit:Enabled=false", "--Feeds:Okx:Enabled=false",
            "--Feeds:Connection:ReconnectDelay=00:00:00.050");
        var http = gateway.Http;

        using (var unauthorized = await http.PostAsync("/proxy/disable", null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        }

        using (var set = await PostAsync(http, "/proxy/set-static", new { url = proxy.Url }))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            Assert.DoesNotContain("hunter2", await set.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var inTestMode = await PostAsync(http, "/proxy/enable?policy=always", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, inTestMode.StatusCode);
            Assert.Contains("test mode", (await inTestMode.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using (await PostAsync(http, "/mode/live", null))
        {
            await binance.WaitForSubscriptionAsync(1);
        }

        using (var badPolicy = await PostAsync(http, "/proxy/enable?policy=sometimes", null))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badPolicy.StatusCode);
        }

        using (var badUrl = await PostAsync(http, "/proxy/set-static", new { url = "ftp://127.0.0.1:21" }))
        {
            Assert.Equal(HttpStatusCode.BadRequest, badUrl.StatusCode);
        }

        Assert.Empty(proxy.Tunnels);
        using (var enabled = await PostAsync(http, "/proxy/enable?policy=always", null))
        {
            Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        }

        await binance.WaitForSubscriptionAsync(2);
        var status = await Eventually.ValueAsync(
            () => http.GetFromJsonAsync<JsonElement>("/proxy/status"),
            s => s.GetProperty("inUse").GetProperty("binance").ValueKind == JsonValueKind.String,
            TimeSpan.FromSeconds(20));
        Assert.Equal("always", status.GetProperty("policy").GetString());
        Assert.Equal($"http://127.0.0.1:{proxy.Port}", status.GetProperty("inUse").GetProperty("binance").GetString());
        Assert.Equal([$"http://127.0.0.1:{proxy.Port}"], status.GetProperty("proxies").EnumerateArray().Select(p => p.GetString()));
        Assert.Single(proxy.Tunnels);
        var sent = await new LiveTape(format).SendAsync(binance, 4);
        await Eventually.HoldsAsync(
            async () => (await LiveModeTests.FeedAsync(gateway, "binance")).GetProperty("ticksPublished").GetInt64() == sent.Count,
            TimeSpan.FromSeconds(20),
            "the trades through the proxy");

        using (await PostAsync(http, "/proxy/disable", null))
        {
            await binance.WaitForSubscriptionAsync(3);
        }

        await Eventually.HoldsAsync(
            async () => (await http.GetFromJsonAsync<JsonElement>("/proxy/status")).GetProperty("inUse").GetProperty("binance").ValueKind == JsonValueKind.Null,
            TimeSpan.FromSeconds(20),
            "binance direct again");
        Assert.Single(proxy.Tunnels);

        using (var forgotten = await PostAsync(http, "/proxy/set-disabled", null))
        {
            Assert.Empty((await forgotten.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("proxies").EnumerateArray());
        }

        using (var nothingToEnable = await PostAsync(http, "/proxy/enable", null))
        {
            Assert.Equal(HttpStatusCode.Conflict, nothingToEnable.StatusCode);
        }

        Assert.DoesNotContain("hunter2", await http.GetStringAsync("/health"), StringComparison.Ordinal);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient http, string path, object? body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-Admin-Key", AdminKey);
        return http.SendAsync(request);
    }
}
