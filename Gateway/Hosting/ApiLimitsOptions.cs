using System.ComponentModel.DataAnnotations;

namespace PriceActors.Gateway.Hosting;

/// <summary>CORS, rate limiting and request sizes of the gateway's API, bound from the <c>Api</c> section.</summary>
public sealed class ApiLimitsOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Api";

    /// <summary>Origins browsers may call the API and the hub from (<c>*</c>: any); none by default (same origin only).</summary>
    public List<string> CorsOrigins { get; set; } = [];

    /// <summary>REST requests a client address may make per second (a token bucket); 0 turns the limit off. Default 1,000.</summary>
    [Range(0, 1_000_000)]
    public int RateLimitPerSecond { get; set; } = 1_000;

    /// <summary>Requests a client address may make at once beyond the rate. Default 2,000.</summary>
    [Range(1, 1_000_000)]
    public int RateLimitBurst { get; set; } = 2_000;

    /// <summary>The largest request body and hub message accepted, in bytes. Default 64 KiB.</summary>
    [Range(1_024, 16 * 1024 * 1024)]
    public int MaxRequestBytes { get; set; } = 64 * 1024;
}
