using System.Globalization;
using System.Net;
using System.Text.Json;
using PriceActors.Tests.Silo.Postgres;
using PriceActors.Tests.Silo.RabbitMq;
using PriceActors.Tests.Support;
using Xunit.Abstractions;

namespace PriceActors.Tests.Gateway.Hosting;

/// <summary>
/// A cluster on loopback as an operator starts it: a silo process running the synthetic feeds on a fresh
/// database and prefix, and a stateless gateway process (<c>--PriceActors:Mode Cluster</c>) that reaches the
/// silo's actors only through RabbitMQ.
/// </summary>
[Collection(ClusterGatewayCollection.Name)]
public sealed class ClusterGatewayTests(ITestOutputHelper output)
{
    private const int Partitions = 8;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly string[] Feeds =
    [
        "--Feeds:Synthetic:Exchanges:0", "binance",
        "--Feeds:Synthetic:Exchanges:1", "okx",
        "--Feeds:Synthetic:Symbols:0", "BTCUSDT",
        "--Feeds:Synthetic:Symbols:1", "ETHUSDT",
        "--Feeds:Synthetic:TicksPerSecond", "20",
        "--Streams:PartitionCount", Partitions.ToString(CultureInfo.InvariantCulture),
        "--Logging:LogLevel:Default", "Warning",
        "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information",
        "--Logging:LogLevel:PriceActors.Gateway.Hosting", "Information",
    ];

    [Fact]
    public async Task ClusterMode_SiloWithFeedsAndGatewayProcesses_RestHubAndHealthAnswerThroughRabbitMq()
    {
        await using var database = await PostgresDatabase.CreateAsync(migrate: false);
        await using var bus = new RabbitMqTestBus(Partitions);
        string[] broker = ["--RabbitMq:Uri", TestServers.RabbitMq.ToString(), "--RabbitMq:Prefix", bus.Options.Prefix];
        await using var silo = await SiloProcess.StartAsync([.. broker, "--Postgres:ConnectionString", database.ConnectionString, .. Feeds]);
        await using var gateway = await GatewayProcess.StartAsync(
            [.. broker, "--PriceActors:Mode", "Cluster", "--RabbitMq:Requests:RequestTimeout", "00:00:02", .. Feeds]);
        using var http = new HttpClient { BaseAddress = gateway.Address };

        Assert.Equal(("Cluster", "RabbitMqUpdateStream", "RabbitMqActorTransport"), (Report(gateway, "Mode"), Report(gateway, "Bus"), Report(gateway, "Actors")));
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
        Assert.Equal(["rabbitmq", "requests"], health.GetProperty("checks").EnumerateObject().Select(c => c.Name).Order());
        Assert.Equal(0, await gateway.StopAsync(Patience));
        Assert.All(gateway.Log, line => JsonDocument.Parse(line).Dispose());
    }

    [Fact]
    public async Task ClusterMode_BrokerUnreachable_LiveButNotReadyWithTheReasonAndQueriesAnswer503()
    {
        await using var gateway = await GatewayProcess.StartAsync(
            "--PriceActors:Mode", "Cluster",
            "--RabbitMq:Uri", "amqp://guest:guest@127.0.0.1:1/",
            "--RabbitMq:Requests:RequestTimeout", "00:00:00.500",
            "--Logging:LogLevel:Default", "Warning",
            "--Logging:LogLevel:PriceActors.Gateway.Hosting", "Information");
        using var http = new HttpClient { BaseAddress = gateway.Address };

        var ready = await GetAsync(http, "/health/ready", HttpStatusCode.ServiceUnavailable, problem: false);
        await GetAsync(http, "/health/live", HttpStatusCode.OK);
        var latest = await GetAsync(http, "/prices/latest/binance/BTCUSDT", HttpStatusCode.ServiceUnavailable);

        var rabbit = ready.GetProperty("checks").GetProperty("rabbitmq");
        Assert.Equal("unhealthy", rabbit.GetProperty("status").GetString());
        Assert.StartsWith("RabbitMQ unavailable: ", rabbit.GetProperty("description").GetString(), StringComparison.Ordinal);
        var requests = ready.GetProperty("checks").GetProperty("requests");
        Assert.Equal("unhealthy", requests.GetProperty("status").GetString());
        Assert.StartsWith("Actor requests cannot be sent: ", requests.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Contains("binance:BTCUSDT", latest.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await gateway.StopAsync(Patience));
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
