using System.Globalization;
using System.Net;
using System.Text.Json;
using PriceActors.Tests.Grains.Feeds.Live;
using PriceActors.Tests.Silo.Postgres;
using PriceActors.Tests.Support;
using Xunit.Abstractions;

namespace PriceActors.Tests.Gateway.Hosting;

/// <summary>
/// A cluster on loopback as an operator starts it: an Orleans silo process running the synthetic feeds on a fresh
/// database, and a stateless gateway process (<c>--PriceActors:Mode Cluster</c>), an Orleans client that finds the
/// silo in the PostgreSQL membership table.
/// </summary>
[Collection(ClusterGatewayCollection.Name)]
public sealed class ClusterGatewayTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly string[] Feeds =
    [
        "--Feeds:Synthetic:Exchanges:0", "binance",
        "--Feeds:Synthetic:Exchanges:1", "okx",
        "--Feeds:Synthetic:Symbols:0", "BTCUSDT",
        "--Feeds:Synthetic:Symbols:1", "ETHUSDT",
        "--Feeds:Synthetic:TicksPerSecond", "20",
        "--Logging:LogLevel:Default", "Warning",
        "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information",
        "--Logging:LogLevel:PriceActors.Gateway.Hosting", "Information",
    ];

    [Fact]
    public async Task ClusterMode_SiloWithFeedsAndGatewayProcesses_RestHubAndHealthAnswerThroughOrleans()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: false);
        var clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];
        string[] cluster = ["--Postgres:ConnectionString", database.ConnectionString, "--Orleans:ClusterId", clusterId];
        await using var silo = await SiloProcess.StartAsync(
        [
            .. cluster, .. Feeds, "--Orleans:AdvertisedAddress", "127.0.0.1",
            "--Orleans:SiloPort", FreePort.Next().ToString(CultureInfo.InvariantCulture),
            "--Orleans:GatewayPort", FreePort.Next().ToString(CultureInfo.InvariantCulture),
        ]);
        await using var gateway = await GatewayProcess.StartAsync([.. cluster, "--PriceActors:Mode", "Cluster", .. Feeds]);
        using var http = new HttpClient { BaseAddress = gateway.Address };

        Assert.Equal(("Cluster", clusterId), (Report(gateway, "Mode"), Report(gateway, "ClusterId")));
        await WaitForAsync(http, "/health/ready", HttpStatusCode.OK);
        var latest = await WaitForAsync(http, "/prices/latest/binance/BTCUSDT", HttpStatusCode.OK);
        Assert.Equal(("binance", "BTCUSDT"), (latest.GetProperty("exchange").GetString(), latest.GetProperty("symbol").GetString()));
        Assert.True(latest.GetProperty("sequence").GetInt64() > 0);

        var instruments = await WaitForAsync(http, "/instruments", HttpStatusCode.OK, body => body.EnumerateArray().All(i => i.GetProperty("price").ValueKind == JsonValueKind.Number));
        Assert.Equal(["binance:BTCUSDT", "binance:ETHUSDT", "okx:BTCUSDT", "okx:ETHUSDT"], instruments.EnumerateArray().Select(i => $"{i.GetProperty("exchange")}:{i.GetProperty("symbol")}").Order());
        var ofSymbol = await GetAsync(http, "/prices/latest/ETHUSDT", HttpStatusCode.OK);
        Assert.Equal("ETHUSDT", ofSymbol.GetProperty("symbol").GetString());
        var stats = await GetAsync(http, "/prices/stats/okx/BTCUSDT?period=1m", HttpStatusCode.OK);
        Assert.True(stats.GetProperty("count").GetInt64() > 0);
        Assert.True(stats.GetProperty("high").GetDecimal() >= stats.GetProperty("low").GetDecimal());
        var bars = await GetAsync(http, "/prices/bars/okx/ETHUSDT?limit=5", HttpStatusCode.OK);
        Assert.True(bars.GetProperty("open").GetProperty("count").GetInt64() > 0 || bars.GetProperty("closed").GetArrayLength() > 0);
        var unknown = await GetAsync(http, "/prices/latest/bybit/BTCUSDT", HttpStatusCode.NotFound);
        Assert.Contains("bybit:BTCUSDT", unknown.GetProperty("detail").GetString(), StringComparison.Ordinal);
        await GetAsync(http, "/prices/latest/XRPUSDT", HttpStatusCode.NotFound);
        await GetAsync(http, "/prices/stats/okx/BTCUSDT?period=2h", HttpStatusCode.BadRequest);

        await using (var client = await SignalRJsonClient.ConnectAsync(new Uri(gateway.Address, "/hubs/prices")))
        {
            await client.SubscribeAsync("binance:ETHUSDT");
            var sequences = new List<long>();
            while (sequences.Count < 10)
            {
                var update = await client.NextAsync("priceUpdated", Patience);
                Assert.Equal("ETHUSDT", update.GetProperty("symbol").GetString());
                sequences.Add(update.GetProperty("sequence").GetInt64());
            }

            output.WriteLine($"hub sequences through the gateway: {string.Join(", ", sequences)}");
            Assert.All(sequences.Zip(sequences.Skip(1)), p => Assert.True(p.Second > p.First, $"{p.First} then {p.Second}"));
        }

        var health = await GetAsync(http, "/health/ready", HttpStatusCode.OK);
        output.WriteLine($"gateway readiness: {health}");
        Assert.Equal(["cluster"], health.GetProperty("checks").EnumerateObject().Select(c => c.Name).Order());
        Assert.Equal(0, await gateway.StopAsync(Patience));
        Assert.All(gateway.Log, line => JsonDocument.Parse(line).Dispose());
    }

    [Fact]
    public async Task ClusterMode_NoSiloInTheCluster_LiveButNotReadyWithTheReasonAndQueriesAnswer503()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: true);
        var clusterId = "nobody-" + Guid.NewGuid().ToString("N")[..8];
        await using var gateway = await GatewayProcess.StartListeningAsync(
            "--PriceActors:Mode", "Cluster",
            "--Postgres:ConnectionString", database.ConnectionString,
            "--Orleans:ClusterId", clusterId,
            "--Logging:LogLevel:Default", "Warning",
            "--Logging:LogLevel:PriceActors.Gateway.Hosting", "Information",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information");
        using var http = new HttpClient { BaseAddress = gateway.Address };

        var ready = await GetAsync(http, "/health/ready", HttpStatusCode.ServiceUnavailable, problem: false);
        await GetAsync(http, "/health/live", HttpStatusCode.OK);
        var latest = await GetAsync(http, "/prices/latest/binance/BTCUSDT", HttpStatusCode.ServiceUnavailable);

        var check = ready.GetProperty("checks").GetProperty("cluster");
        Assert.Equal("unhealthy", check.GetProperty("status").GetString());
        output.WriteLine($"cluster check: {check.GetProperty("description").GetString()}; latest: {latest.GetProperty("detail").GetString()}");
        Assert.Equal("Not connected to the cluster: no silo answers", check.GetProperty("description").GetString());
        Assert.Contains(clusterId, latest.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(gateway.Log, line => line.Contains("Connecting to cluster", StringComparison.Ordinal));

        // Its operations reports fail as well: after five in a row it warns once, naming itself.
        await Eventually.HoldsAsync(
            () => gateway.Log.Any(l => l.Contains("has not reached the operations grain for 10 s", StringComparison.Ordinal) && l.Contains(gateway.Address.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60),
            "the gateway's warning that its operations reports fail");
        Assert.Single(gateway.Log, l => l.Contains("has not reached the operations grain", StringComparison.Ordinal));
        Assert.Equal(0, await gateway.StopAsync(Patience));
    }

    [Fact]
    public async Task ClusterMode_AModeSwitchThroughOneGateway_EveryGatewayAndTheSilosFollow()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: false);
        var format = FakeFormat.Of("binance");
        await using var binance = await FakeExchange.StartAsync(format);
        var clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];
        string[] cluster = ["--Postgres:ConnectionString", database.ConnectionString, "--Orleans:ClusterId", clusterId];
        string[] live =
        [
            "--Feeds:Binance:Url", binance.Url.ToString(), "--Feeds:Binance:Symbols:0", "BTCUSDT", "--Feeds:Binance:Symbols:1", "ETHUSDT",
            "--Feeds:Kraken:Enabled", "false", "--Feeds:Coinbase:Enabled", "false", "--Feeds:Bybit:Enabled", "false", "--Feeds:Okx:Enabled", "false",
            "--Feeds:Connection:ReconnectDelay", "00:00:00.050",
        ];
        await using var silo = await SiloProcess.StartAsync(
        [
            .. cluster, .. Feeds, .. live, "--Orleans:AdvertisedAddress", "127.0.0.1",
            "--Orleans:SiloPort", FreePort.Next().ToString(CultureInfo.InvariantCulture),
            "--Orleans:GatewayPort", FreePort.Next().ToString(CultureInfo.InvariantCulture),
        ]);
        await using var first = await GatewayProcess.StartAsync([.. cluster, "--PriceActors:Mode", "Cluster", .. Feeds, .. live, "--Admin:Key", "cluster-key"]);
        await using var second = await GatewayProcess.StartAsync([.. cluster, "--PriceActors:Mode", "Cluster", .. Feeds, .. live]);
        using var http1 = new HttpClient { BaseAddress = first.Address };
        using var http2 = new HttpClient { BaseAddress = second.Address };
        await WaitForAsync(http2, "/prices/latest/okx/BTCUSDT", HttpStatusCode.OK);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/mode/live");
        request.Headers.Add("X-Admin-Key", "cluster-key");
        using var switched = await http1.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, switched.StatusCode);
        var epoch = JsonDocument.Parse(await switched.Content.ReadAsStringAsync()).RootElement.GetProperty("epoch").GetInt64();

        // The other gateway follows within a second or two: its instruments are the live ones, okx is gone.
        var instruments = await WaitForAsync(http2, "/instruments", HttpStatusCode.OK, body => body.GetArrayLength() == 2);
        Assert.Equal(["binance:BTCUSDT", "binance:ETHUSDT"], instruments.EnumerateArray().Select(i => $"{i.GetProperty("exchange")}:{i.GetProperty("symbol")}").Order());
        await GetAsync(http2, "/prices/latest/okx/BTCUSDT", HttpStatusCode.NotFound);
        Assert.Equal("live", (await GetAsync(http2, "/mode", HttpStatusCode.OK)).GetProperty("mode").GetString());

        // The silo's live feed reached the fake exchange; its trades come out of the other gateway in the new epoch.
        await binance.WaitForSubscriptionAsync(1);
        var sent = await new LiveTape(format).SendAsync(binance, 6);
        var latest = await WaitForAsync(
            http2,
            "/prices/latest/binance/BTCUSDT",
            HttpStatusCode.OK,
            body => body.GetProperty("epoch").GetInt64() == epoch && body.GetProperty("sequence").GetInt64() == 3);
        Assert.Equal(decimal.Parse(sent.Where(t => t.Native == "BTCUSDT").Last().Price, CultureInfo.InvariantCulture), latest.GetProperty("price").GetDecimal());
        var feeds = await GetAsync(http2, "/feeds", HttpStatusCode.OK);
        Assert.True(feeds.GetProperty("feeds")[0].GetProperty("connection").GetProperty("connected").GetBoolean());

        // Every process exposes its metrics, the silo's with its pairs' and Orleans' own.
        using var silos = new HttpClient { BaseAddress = silo.Address };
        var siloMetrics = await silos.GetStringAsync("/metrics");
        Assert.Contains("orleans_catalog_activation", siloMetrics, StringComparison.Ordinal);
        Assert.Contains("priceactors_ticks_durable_age_milliseconds_bucket", siloMetrics, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", await http2.GetStringAsync("/metrics"), StringComparison.Ordinal);

        // Without the key (the second gateway has none configured) nothing switches back.
        using var refused = await http2.PostAsync("/mode/test", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    private static string? Report(GatewayProcess gateway, string field) => gateway.StartupReport.GetProperty(field).GetString();

    private static async Task<JsonElement> GetAsync(HttpClient http, string path, HttpStatusCode expected, bool problem = true)
    {
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"GET {path}: {(int)response.StatusCode} {body}");
        if (expected != HttpStatusCode.OK && problem)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls until the answer has the status (and passes the check); the feeds need a moment to trade.</summary>
    private static async Task<JsonElement> WaitForAsync(HttpClient http, string path, HttpStatusCode expected, Func<JsonElement, bool>? done = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            using var response = await http.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == expected && (done is null || done(JsonDocument.Parse(body).RootElement)))
            {
                return JsonDocument.Parse(body).RootElement.Clone();
            }

            Assert.True(DateTime.UtcNow < deadline, $"GET {path} still answers {(int)response.StatusCode} {body}");
            await Task.Delay(200);
        }
    }
}
