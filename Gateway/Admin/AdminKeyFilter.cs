using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace PriceActors.Gateway.Admin;

/// <summary>
/// Lets a request through only with the configured admin key in <see cref="AdminOptions.Header"/>: 403 when no key is
/// configured (saying how to set one), 401 when the header is missing or wrong. The key is compared in constant time
/// and never logged or echoed.
/// </summary>
internal sealed class AdminKeyFilter(IOptionsMonitor<AdminOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var key = options.CurrentValue.Key;
        if (string.IsNullOrEmpty(key))
        {
            return TypedResults.Problem(
                $"This endpoint changes the system's state and needs an admin key, and none is configured: start the gateway with --Admin:Key=<secret> (or the environment variable Admin__Key) and send it in the {AdminOptions.Header} header.",
                statusCode: StatusCodes.Status403Forbidden,
                title: "Admin key not configured");
        }

        var sent = context.HttpContext.Request.Headers[AdminOptions.Header].ToString();
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(sent), Encoding.UTF8.GetBytes(key)))
        {
            return TypedResults.Problem(
                $"Send the admin key in the {AdminOptions.Header} header.",
                statusCode: StatusCodes.Status401Unauthorized,
                title: sent.Length == 0 ? "Admin key missing" : "Admin key wrong");
        }

        return await next(context);
    }
}
