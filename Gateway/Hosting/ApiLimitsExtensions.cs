using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;

namespace PriceActors.Gateway.Hosting;

/// <summary>
/// The API's guards (<see cref="ApiLimitsOptions"/>): CORS for the configured origins, a per-client-address token bucket
/// on the REST paths (429 with a problem body and <c>Retry-After</c>; the hub, the page, health and metrics are not
/// limited), and a size limit on request bodies and hub messages (413 / a closed hub connection).
/// </summary>
public static class ApiLimitsExtensions
{
    private const string CorsPolicy = "api";

    /// <summary>Adds the options, CORS, the rate limiter and the size limits.</summary>
    /// <param name="builder">The application builder.</param>
    public static WebApplicationBuilder AddApiLimits(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiLimitsOptions>().BindConfiguration(ApiLimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var settings = builder.Configuration.GetSection(ApiLimitsOptions.Section).Get<ApiLimitsOptions>() ?? new ApiLimitsOptions();
        builder.Services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy =>
        {
            if (settings.CorsOrigins.Contains("*"))
            {
                policy.AllowAnyOrigin();
            }
            else
            {
                policy.WithOrigins([.. settings.CorsOrigins]).AllowCredentials();
            }

            policy.AllowAnyHeader().WithMethods("GET", "POST");
        }));
        builder.Services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(k => k.Limits.MaxRequestBodySize = settings.MaxRequestBytes);
        builder.Services.Configure<HubOptions>(hub => hub.MaximumReceiveMessageSize = settings.MaxRequestBytes);
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<ApiLimitsOptions>>().Value;
                if (options.RateLimitPerSecond == 0 || !ApiPaths.IsRest(context.Request.Path))
                {
                    return RateLimitPartition.GetNoLimiter("unlimited");
                }

                return RateLimitPartition.GetTokenBucketLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = options.RateLimitBurst,
                    TokensPerPeriod = options.RateLimitPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            limiter.OnRejected = (rejected, _) =>
            {
                var context = rejected.HttpContext;
                var after = Math.Max(1, (int)Math.Ceiling((rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1)).TotalSeconds));
                var rate = context.RequestServices.GetRequiredService<IOptions<ApiLimitsOptions>>().Value.RateLimitPerSecond;
                return new ValueTask(ApiPaths.RefuseAsync(
                    context,
                    StatusCodes.Status429TooManyRequests,
                    "Too many requests",
                    $"This client address may make {rate} requests a second (Api:RateLimitPerSecond); try again after {after} s.",
                    after));
            };
        });
        return builder;
    }

    /// <summary>Applies CORS and the rate limiter; call before the endpoints are mapped.</summary>
    /// <param name="app">The application.</param>
    public static WebApplication UseApiLimits(this WebApplication app)
    {
        app.UseCors(CorsPolicy);
        app.UseRateLimiter();
        return app;
    }
}
