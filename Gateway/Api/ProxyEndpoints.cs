using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using PriceActors.Gateway.Admin;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;

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
        proxy.MapGet("/status", StatusAsync);
        var changing = proxy.MapGroup("").AddEndpointFilter<AdminKeyFilter>();
        changing.MapPost("/enable", (string? policy, IGrainFactory grains, IOptions<LiveFeedsOptions> live, IOptions<SyntheticFeedOptions> synthetic) =>
            policy is null or "fallback" or "always"
                ? ChangeAsync(grains, live.Value, synthetic.Value, policy == "always" ? ProxyPolicy.Always : ProxyPolicy.Fallback, null)
                : Task.FromResult(Problems.BadRequest($"Unknown policy '{policy}': use policy=fallback (the default) or policy=always.") as IResult));
        changing.MapPost("/disable", (IGrainFactory grains, IOptions<LiveFeedsOptions> live, IOptions<SyntheticFeedOptions> synthetic) =>
            ChangeAsync(grains, live.Value, synthetic.Value, ProxyPolicy.Disabled, null));
        changing.MapPost("/set-static", (StaticProxy? body, string? url, IGrainFactory grains, IOptions<LiveFeedsOptions> live, IOptions<SyntheticFeedOptions> synthetic) =>
            (body?.Url ?? url) is { Length: > 0 } one
                ? ChangeAsync(grains, live.Value, synthetic.Value, null, [one])
                : Task.FromResult(Problems.BadRequest("Send the proxy as {\"url\":\"http://host:port\"} (or ?url=).") as IResult));
        changing.MapPost("/set-rotating", (RotatingProxies? body, IGrainFactory grains, IOptions<LiveFeedsOptions> live, IOptions<SyntheticFeedOptions> synthetic) =>
            body?.Urls is { Count: > 0 } urls
                ? ChangeAsync(grains, live.Value, synthetic.Value, null, urls)
                : Task.FromResult(Problems.BadRequest("Send the proxies as {\"urls\":[\"http://host1:port\",\"http://host2:port\"]}.") as IResult));
        changing.MapPost("/set-disabled", (IGrainFactory grains, IOptions<LiveFeedsOptions> live, IOptions<SyntheticFeedOptions> synthetic) =>
            ChangeAsync(grains, live.Value, synthetic.Value, ProxyPolicy.Disabled, []));
        return app;
    }

    private static async Task<IResult> StatusAsync(IGrainFactory grains, IOptions<LiveFeedsOptions> live, IOptions<SyntheticFeedOptions> synthetic, CancellationToken cancellationToken)
    {
        var mode = await grains.GetGrain<IFeedModeGrain>(IFeedModeGrain.Key).GetAsync().WaitAsync(cancellationToken);
        return TypedResults.Ok(await AnswerAsync(grains, mode, live.Value, synthetic.Value));
    }

    private static async Task<IResult> ChangeAsync(IGrainFactory grains, LiveFeedsOptions live, SyntheticFeedOptions synthetic, ProxyPolicy? policy, IReadOnlyList<string>? urls)
    {
        FeedModeStatus mode;
        try
        {
            mode = await grains.GetGrain<IFeedModeGrain>(IFeedModeGrain.Key).ChangeProxyAsync(policy, urls);
        }
        catch (ArgumentException error)
        {
            return Problems.BadRequest(error.Message);
        }
        catch (InvalidOperationException error)
        {
            return TypedResults.Problem(error.Message, statusCode: StatusCodes.Status409Conflict, title: "Conflict");
        }

        return TypedResults.Ok(await AnswerAsync(grains, mode, live, synthetic));
    }

    private static async Task<ProxyStatus> AnswerAsync(IGrainFactory grains, FeedModeStatus mode, LiveFeedsOptions live, SyntheticFeedOptions synthetic)
    {
        var feeds = await Task.WhenAll(live.ExchangesIn(mode.Mode, synthetic).Select(e => grains.GetGrain<IExchangeFeedGrain>(e).GetStatusAsync()));
        return new ProxyStatus(
            mode.Mode,
            mode.Proxy.Policy,
            [.. mode.Proxy.Urls.Select(FeedProxySettings.Describe)],
            mode.Proxy.Urls.Count > 1,
            feeds.Where(f => f.Connection is not null).ToDictionary(f => f.Exchange, f => f.Connection!.Proxy));
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
    private sealed record ProxyStatus(
        FeedMode Mode,
        ProxyPolicy Policy,
        IReadOnlyList<string> Proxies,
        bool Rotating,
        [property: JsonPropertyName("inUse")] IReadOnlyDictionary<string, string?> InUse);
}
