namespace PriceActors.Gateway.Hosting;

/// <summary>Where the API answers from the cluster, and how a middleware refuses a request there.</summary>
internal static class ApiPaths
{
    private static readonly string[] Rest = ["/prices", "/candles", "/instruments", "/feeds", "/mode", "/proxy", "/ops/data"];

    /// <summary>Whether the request is a REST call of the API (not the hub, the page, health or metrics).</summary>
    public static bool IsRest(PathString path) => Rest.Any(p => path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase));

    /// <summary>Answers with a problem body and a <c>Retry-After</c> in whole seconds.</summary>
    public static Task RefuseAsync(HttpContext context, int status, string title, string detail, int retryAfterSeconds)
    {
        context.Response.StatusCode = status;
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}
