using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Api;

/// <summary>The REST API end to end against the embedded system.</summary>
[Collection(EmbeddedGatewayCollection.Name)]
public sealed class PriceEndpointsTests(EmbeddedGatewayFixture system)
{
    private static readonly string[] Exchanges = ["binance", "bybit", "okx"];
    private static readonly string[] Symbols = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "TONUSDT", "DOGEUSDT"];

    [Fact]
    public async Task GetInstruments_DefaultFeeds_ListsEveryInstrumentWithItsPrice()
    {
        var instruments = await system.Http.GetFromJsonAsync<JsonElement>("/instruments");

        var keys = instruments.EnumerateArray().Select(i => $"{i.GetProperty("exchange").GetString()}:{i.GetProperty("symbol").GetString()}").ToList();
        Assert.Equal(Exchanges.SelectMany(e => Symbols.Select(s => $"{e}:{s}")).Order(), keys.Order());
        Assert.All(instruments.EnumerateArray(), i =>
        {
            Assert.True(i.GetProperty("price").GetDecimal() > 0m);
            Assert.True(i.GetProperty("timestamp").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        });
    }

    [Fact]
    public async Task GetLatest_ExchangeAndSymbolInAnyCase_AnswersTheCanonicalInstrument()
    {
        var latest = await system.Http.GetFromJsonAsync<JsonElement>("/prices/latest/BYBIT/tonusdt");

        Assert.Equal("bybit", latest.GetProperty("exchange").GetString());
        Assert.Equal("TONUSDT", latest.GetProperty("symbol").GetString());
        Assert.True(latest.GetProperty("price").GetDecimal() > 0m);
        Assert.True(latest.GetProperty("sequence").GetInt64() > 0);
    }

    [Fact]
    public async Task GetLatest_SymbolOnly_AnswersTheNewestTradeAcrossExchanges()
    {
        var before = new Dictionary<string, DateTimeOffset>();
        foreach (var exchange in Exchanges)
        {
            var one = await system.Http.GetFromJsonAsync<JsonElement>($"/prices/latest/{exchange}/BTCUSDT");
            before[exchange] = one.GetProperty("timestamp").GetDateTimeOffset();
        }

        var newest = await system.Http.GetFromJsonAsync<JsonElement>("/prices/latest/btcusdt");

        Assert.Equal("BTCUSDT", newest.GetProperty("symbol").GetString());
        Assert.True(newest.GetProperty("timestamp").GetDateTimeOffset() >= before.Values.Max());
        var newestExchange = newest.GetProperty("exchange").GetString()!;
        var after = await system.Http.GetFromJsonAsync<JsonElement>($"/prices/latest/{newestExchange}/BTCUSDT");
        Assert.True(after.GetProperty("sequence").GetInt64() >= newest.GetProperty("sequence").GetInt64());
    }

    [Theory]
    [InlineData("/prices/latest/binance/NOPEUSDT", "Unknown instrument 'binance:NOPEUSDT'")]
    [InlineData("/prices/latest/kraken/BTCUSDT", "Unknown instrument 'kraken:BTCUSDT'")]
    [InlineData("/prices/latest/NOPEUSDT", "No exchange trades 'NOPEUSDT'")]
    [InlineData("/prices/stats/okx/NOPE", "Unknown instrument 'okx:NOPE'")]
    [InlineData("/prices/bars/okx/NOPE", "Unknown instrument 'okx:NOPE'")]
    [InlineData("/no/such/route", null)]
    public async Task Get_Unknown_Answers404WithProblem(string path, string? detail)
    {
        var problem = await GetProblemAsync(path, HttpStatusCode.NotFound);

        if (detail is not null)
        {
            Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/prices/latest/bin@nce/BTCUSDT", "Exchange 'bin@nce' is not valid")]
    [InlineData("/prices/latest/binance/BTC$USDT", "Symbol 'BTC$USDT' is not valid")]
    [InlineData("/prices/latest/binance/ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", "is not valid")]
    [InlineData("/prices/latest/BTC%20USDT", "is not valid")]
    [InlineData("/prices/stats/binance/BTCUSDT?period=abc", "Period 'abc' is not valid")]
    [InlineData("/prices/stats/binance/BTCUSDT?period=0s", "Period '0s' is not valid")]
    [InlineData("/prices/stats/binance/BTCUSDT?period=-5m", "Period '-5m' is not valid")]
    [InlineData("/prices/stats/binance/BTCUSDT?period=2h", "at most the window")]
    [InlineData("/prices/bars/binance/BTCUSDT?limit=-1", "Limit -1 is not valid")]
    [InlineData("/prices/bars/binance/BTCUSDT?limit=16", "Limit 16 is not valid")]
    [InlineData("/prices/bars/binance/BTCUSDT?limit=many", null)]
    public async Task Get_Malformed_Answers400WithProblem(string path, string? detail)
    {
        var problem = await GetProblemAsync(path, HttpStatusCode.BadRequest);

        if (detail is not null)
        {
            Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("/prices/stats/okx/SOLUSDT")]
    [InlineData("/prices/stats/okx/SOLUSDT?period=PT1M")]
    [InlineData("/prices/stats/okx/SOLUSDT?period=30s")]
    public async Task GetStats_ValidPeriod_AnswersConsistentStatistics(string path)
    {
        var stats = await system.Http.GetFromJsonAsync<JsonElement>(path);

        Assert.True(stats.GetProperty("count").GetInt64() > 0);
        var (low, high) = (stats.GetProperty("low").GetDecimal(), stats.GetProperty("high").GetDecimal());
        Assert.InRange(stats.GetProperty("average").GetDecimal(), low, high);
        Assert.InRange(stats.GetProperty("vwap").GetDecimal(), low, high);
        Assert.InRange(stats.GetProperty("last").GetDecimal(), low, high);
        Assert.True(stats.GetProperty("from").GetDateTimeOffset() < stats.GetProperty("to").GetDateTimeOffset());
    }

    [Fact]
    public async Task GetBars_Default_AnswersTheOpenBarOfTheCurrentMinute()
    {
        var bars = await system.Http.GetFromJsonAsync<JsonElement>("/prices/bars/binance/SOLUSDT?limit=15");

        var open = bars.GetProperty("open");
        Assert.False(open.GetProperty("closed").GetBoolean());
        Assert.True(open.GetProperty("count").GetInt64() > 0);
        Assert.True(bars.GetProperty("closed").GetArrayLength() <= 15);
    }

    [Fact]
    public async Task GetHealth_Running_ReportsEveryPart()
    {
        var health = await system.Http.GetFromJsonAsync<JsonElement>("/health");

        Assert.Equal("healthy", health.GetProperty("status").GetString());
        var checks = health.GetProperty("checks");
        foreach (var part in new[] { "silo", "feeds", "store", "subscribers" })
        {
            Assert.Equal("healthy", checks.GetProperty(part).GetProperty("status").GetString());
        }

        Assert.Equal("running", checks.GetProperty("feeds").GetProperty("data").GetProperty("okx").GetProperty("state").GetString());
        using var ready = await system.Http.GetAsync("/health/ready");
        using var live = await system.Http.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task GetDashboard_Embedded_ServesTheOrleansDashboardWithThePairAndFeedGrains()
    {
        using var page = await system.Http.GetAsync("/dashboard/");
        var counters = await Eventually.ValueAsync(
            () => system.Http.GetFromJsonAsync<JsonElement>("/dashboard/DashboardCounters"),
            c => GrainTypes(c).Any(t => t.Contains("PairGrain", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, counters.GetProperty("hosts").GetArrayLength());
        Assert.Contains(GrainTypes(counters), t => t.Contains("PairGrain", StringComparison.Ordinal));
        Assert.Contains(GrainTypes(counters), t => t.Contains("ExchangeFeedGrain", StringComparison.Ordinal));

        static IEnumerable<string> GrainTypes(JsonElement counters) =>
            counters.GetProperty("simpleGrainStats").EnumerateArray().Select(g => g.GetProperty("grainType").GetString() ?? "");
    }

    [Theory]
    [InlineData("/prices/latest/%00/%00")]
    [InlineData("/prices/latest/:/:")]
    [InlineData("/prices/latest/binance/")]
    [InlineData("/prices/stats/binance/BTCUSDT?period=99999999999999999999h")]
    [InlineData("/prices/stats/binance/BTCUSDT?period=P")]
    [InlineData("/prices/bars/binance/BTCUSDT?limit=99999999999999999999")]
    [InlineData("/instruments?x=%ff")]
    public async Task Get_OddInput_NeverAnswers500(string path)
    {
        using var response = await system.Http.GetAsync(path);

        Assert.True((int)response.StatusCode < 500, $"{path} answered {(int)response.StatusCode}");
    }

    private async Task<JsonElement> GetProblemAsync(string path, HttpStatusCode expected)
    {
        using var response = await system.Http.GetAsync(path);
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }

    [Fact]
    public async Task OpenApi_TheDocumentDescribesTheApi_AndTheReferenceIsServedWithoutACdn()
    {
        var document = await system.Http.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();

        Assert.Equal("PriceActors", document.GetProperty("info").GetProperty("title").GetString());
        Assert.Superset(
            new HashSet<string>
            {
                "/instruments", "/prices/latest/{exchange}/{symbol}", "/prices/highest/{symbol}", "/prices/consolidated/{symbol}",
                "/candles/{exchange}/{symbol}", "/feeds", "/mode", "/mode/live", "/proxy/status", "/proxy/set-static",
            },
            paths.ToHashSet());
        Assert.DoesNotContain(paths, p => p.StartsWith("/dashboard", StringComparison.Ordinal) || p == "/");

        var page = await system.Http.GetStringAsync("/api/");
        Assert.Contains("<script src=\"scalar.js\">", page, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", page, StringComparison.Ordinal);
        using var script = await system.Http.GetAsync("/api/scalar.js");
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 100_000);
    }

    [Fact]
    public async Task Metrics_InPrometheusFormat_CarryOursOrleansAndAspNetCores()
    {
        await using (var client = await SignalRJsonClient.ConnectAsync(system.HubAddress))
        {
            await client.SubscribeAsync("binance:BTCUSDT");
            await client.NextAsync("priceUpdated", TimeSpan.FromSeconds(30));
            await client.NextAsync("priceUpdated", TimeSpan.FromSeconds(30));
        }

        using var response = await system.Http.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("priceactors_updates_age_milliseconds_bucket", text, StringComparison.Ordinal);
        Assert.Contains("orleans_app_requests_latency", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal);
        Assert.Contains("dotnet_gc_collections_total", text, StringComparison.Ordinal);
    }
}
