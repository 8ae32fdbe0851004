using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Orleans.Runtime;

namespace PriceActors.Silo.Hosting;

/// <summary>
/// Maps what escapes an endpoint to a problem body: a grain that cannot answer (its silo gone, the cluster not
/// reachable, a call timed out) is 503 (try again),
/// a request the server cannot read is 400; anything else is logged with its context as a bug and
/// answered 500 without details.
/// </summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            SiloUnavailableException or OrleansMessageRejectionException or GatewayTooBusyException or Orleans.Runtime.Messaging.ConnectionFailedException or TimeoutException =>
                (StatusCodes.Status503ServiceUnavailable, "Service unavailable", $"The cluster cannot answer now: {exception.Message}"),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message),
            _ => (StatusCodes.Status500InternalServerError, "Internal error", "The error was logged."),
        };
        if (status >= 500)
        {
            logger.LogError(exception, "{Method} {Path} failed with {Status}", httpContext.Request.Method, httpContext.Request.Path, status);
        }

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "1";
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
