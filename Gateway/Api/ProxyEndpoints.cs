using PriceActors.Gateway.Admin;
using PriceActors.Grains;

namespace PriceActors.Gateway.Api;

/// <summary>
/// <c>/proxy/…</c>: the live feeds' proxies (<see cref="IFeedModeGrain.ChangeProxyAsync"/>). Everything but the status
/// needs the admin key; proxy credentials never appear in an answer.
/// </summary>
public static class ProxyEndpoints
{
    /// <summary>Maps the proxy endpoints.</summary>
    /// <param name="app">The application.</param>
    public static WebApplication MapProxyApi(this WebApplication app)
    {
        var proxy = app.MapGroup("/proxy");
        proxy.MapGet("/status", async ([AsParameters] FeedContext feeds, CancellationToken cancellationToken) =>
            TypedResults.Ok(await AnswerAsync(feeds, await feeds.Mode.GetAsync().WaitAsync(cancellationToken), cancellationToken)));
        var changing = proxy.MapGroup("").AddEndpointFilter<AdminKeyFilter>();
        changing.MapPost("/enable", (string? policy, [AsParameters] FeedContext feeds, CancellationToken cancellationToken) =>
            policy is null or "fallback" or "always"
                ? ChangeAsync(feeds, policy == "always" ? ProxyPolicy.Always : ProxyPolicy.Fallback, null, cancellationToken)
                : Task.FromResult<IResult>(Problems.BadRequest($"Unknown policy '{policy}': use policy=fallback (the default) or policy=always.")));
        changing.MapPost("/disable", ([AsParameters] FeedContext feeds, CancellationToken cancellationToken) =>
            ChangeAsync(feeds, ProxyPolicy.Disabled, null, cancellationToken));
        changing.MapPost("/set-static", (StaticProxy? body, string? url, [AsParameters] FeedContext feeds, CancellationToken cancellationToken) =>
            (body?.Url ?? url) is { Length: > 0 } one
                ? ChangeAsync(feeds, null, [one], cancellationToken)
                : Task.FromResult<IResult>(Problems.BadRequest("Send the proxy as {\"url\":\"http://host:port\"} (or ?url=).")));
        changing.MapPost("/set-rotating", (RotatingProxies? body, [AsParameters] FeedContext feeds, CancellationToken cancellationToken) =>
            body?.Urls is { Count: > 0 } urls
                ? ChangeAsync(feeds, null, urls, cancellationToken)
                : Task.FromResult<IResult>(Problems.BadRequest("Send the proxies as {\"urls\":[\"http://host1:port\",\"http://host2:port\"]}.")));
        changing.MapPost("/set-disabled", ([AsParameters] FeedContext feeds, CancellationToken cancellationToken) =>
            ChangeAsync(feeds, ProxyPolicy.Disabled, [], cancellationToken));
        return app;
    }

    private static async Task<IResult> ChangeAsync(FeedContext feeds, ProxyPolicy? policy, IReadOnlyList<string>? urls, CancellationToken cancellationToken)
    {
        FeedModeStatus mode;
        try
        {
            mode = await feeds.Mode.ChangeProxyAsync(policy, urls);
        }
        catch (ArgumentException error)
        {
            return Problems.BadRequest(error.Message);
        }
        catch (InvalidOperationException error)
        {
            return TypedResults.Problem(error.Message, statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        return TypedResults.Ok(await AnswerAsync(feeds, mode, cancellationToken));
    }

    private static async Task<ProxyStatus> AnswerAsync(FeedContext feeds, FeedModeStatus mode, CancellationToken cancellationToken)
    {
        var statuses = await feeds.FeedsAsync(mode.Mode, cancellationToken);
        return new ProxyStatus(
            mode.Mode,
            mode.Proxy.Policy,
            [.. mode.Proxy.Urls.Select(FeedProxySettings.Describe)],
            mode.Proxy.Urls.Count > 1,
            statuses.Where(f => f.Connection is not null).ToDictionary(f => f.Exchange, f => f.Connection!.Proxy));
    }

    /// <summary>The body of <c>POST /proxy/set-static</c>.</summary>
    /// <param name="Url">The proxy.</param>
    public sealed record StaticProxy(string? Url);

    /// <summary>The body of <c>POST /proxy/set-rotating</c>.</summary>
    /// <param name="Urls">The proxies, used in turn.</param>
    public sealed record RotatingProxies(IReadOnlyList<string>? Urls);

    /// <summary>The answer of the proxy endpoints.</summary>
    /// <param name="Mode">The feed mode: test mode uses no proxy.</param>
    /// <param name="Policy">disabled, fallback or always.</param>
    /// <param name="Proxies">The proxies, without credentials.</param>
    /// <param name="Rotating">Whether each new connection takes the next proxy.</param>
    /// <param name="InUse">Per live feed, the proxy its connection goes through (null: direct).</param>
    private sealed record ProxyStatus(FeedMode Mode, ProxyPolicy Policy, IReadOnlyList<string> Proxies, bool Rotating, IReadOnlyDictionary<string, string?> InUse);
}
