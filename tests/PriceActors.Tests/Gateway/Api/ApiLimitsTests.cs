using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PriceActors.Tests.Gateway.Feeds;

namespace PriceActors.Tests.Gateway.Api;

/// <summary>The API's guards in the embedded system: CORS for the configured origins, the per-address rate limit, request sizes.</summary>
public sealed class ApiLimitsTests
{
    [Fact]
    public async Task Cors_AnswersTheConfiguredOriginOnly()
    {
        await using var gateway = await LiveModeTests.StartAsync("--Api:CorsOrigins:0=https://desk.example");

        using var allowed = await PreflightAsync(gateway.Http, "https://desk.example");
        using var refused = await PreflightAsync(gateway.Http, "https://elsewhere.example");

        Assert.Equal("https://desk.example", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task RateLimit_RefusesRestBeyondTheBucketWith429_AndLeavesHealthAlone()
    {
        await using var gateway = await LiveModeTests.StartAsync("--Api:RateLimitPerSecond=2", "--Api:RateLimitBurst=5", "--Admin:Key=k");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            using var response = await gateway.Http.GetAsync("/instruments");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.True(response.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1));
                Assert.Contains("Api:RateLimitPerSecond", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
        }

        Assert.InRange(statuses.Count(s => s == HttpStatusCode.OK), 5, 7);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
        for (var i = 0; i < 10; i++)
        {
            using var health = await gateway.Http.GetAsync("/health/live");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }
    }

    [Fact]
    public async Task RequestBodies_OverTheLimit_Answer413()
    {
        await using var gateway = await LiveModeTests.StartAsync("--Api:MaxRequestBytes=2048", "--Admin:Key=k");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/proxy/set-rotating")
        {
            Content = JsonContent.Create(new { urls = Enumerable.Range(0, 200).Select(i => $"http://proxy{i}.example:3128").ToArray() }),
        };
        request.Headers.Add("X-Admin-Key", "k");

        using var response = await gateway.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    private static Task<HttpResponseMessage> PreflightAsync(HttpClient http, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/prices/latest/binance/BTCUSDT");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "GET");
        return http.SendAsync(request);
    }
}
