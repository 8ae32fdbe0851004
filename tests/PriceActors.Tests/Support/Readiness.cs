using System.Net;
using Xunit.Abstractions;

namespace PriceActors.Tests.Support;

/// <summary>Polls a process's <c>/health/ready</c> until it answers a status whose body names every expected reason.</summary>
public static class Readiness
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Waits up to a minute for <paramref name="status"/> with <paramref name="reasons"/> in the body (case-insensitive); fails with the last answer.</summary>
    public static async Task WaitForAsync(HttpClient http, Uri process, HttpStatusCode status, ITestOutputHelper output, params string[] reasons)
    {
        var deadline = DateTime.UtcNow + Patience;
        var body = string.Empty;
        HttpStatusCode? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(process, "/health/ready"));
                (last, body) = (response.StatusCode, await response.Content.ReadAsStringAsync());
                if (last == status && reasons.All(reason => body.Contains(reason, StringComparison.OrdinalIgnoreCase)))
                {
                    output.WriteLine($"{process} ready={(int)status}: {body[..Math.Min(body.Length, 300)]}");
                    return;
                }
            }
            catch (HttpRequestException e)
            {
                body = e.Message;
            }

            await Task.Delay(200);
        }

        Assert.Fail($"{process}/health/ready never answered {(int)status} {string.Join(", ", reasons)}; last {(int?)last}: {body}");
    }
}
