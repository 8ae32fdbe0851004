using PriceActors.Gateway.Admin;
using PriceActors.Grains;

namespace PriceActors.Gateway.Api;

/// <summary>
/// <c>GET /mode</c>, <c>POST /mode/test</c>, <c>POST /mode/live</c>: the cluster's feed mode (<see cref="IFeedModeGrain"/>);
/// switching needs the admin key. <c>GET /feeds</c>: the mode and each of its feeds' status, from any gateway.
/// </summary>
public static class ModeEndpoints
{
    /// <summary>Maps the mode endpoints.</summary>
    /// <param name="app">The application.</param>
    public static WebApplication MapModeApi(this WebApplication app)
    {
        app.MapGet("/feeds", GetFeedsAsync);
        var mode = app.MapGroup("/mode");
        mode.MapGet("", GetAsync);
        var switching = mode.MapGroup("").AddEndpointFilter<AdminKeyFilter>();
        switching.MapPost("/test", ([AsParameters] FeedContext feeds, CancellationToken cancellationToken) => SwitchAsync(FeedMode.Test, feeds, cancellationToken));
        switching.MapPost("/live", ([AsParameters] FeedContext feeds, CancellationToken cancellationToken) => SwitchAsync(FeedMode.Live, feeds, cancellationToken));
        return app;
    }

    private static async Task<IResult> GetAsync([AsParameters] FeedContext feeds, CancellationToken cancellationToken)
    {
        var status = await feeds.Mode.GetAsync().WaitAsync(cancellationToken);
        return TypedResults.Ok(new ModeAnswer(status.Mode, status.Epoch, status.ChangedAt, feeds.ExchangesIn(status.Mode), Switched: false));
    }

    private static async Task<IResult> GetFeedsAsync([AsParameters] FeedContext feeds, CancellationToken cancellationToken)
    {
        var status = await feeds.Mode.GetAsync().WaitAsync(cancellationToken);
        return TypedResults.Ok(new FeedsAnswer(status.Mode, status.Epoch, status.Proxy.Policy, await feeds.FeedsAsync(status.Mode, cancellationToken)));
    }

    private static async Task<IResult> SwitchAsync(FeedMode mode, FeedContext feeds, CancellationToken cancellationToken)
    {
        var before = await feeds.Mode.GetAsync().WaitAsync(cancellationToken);
        var status = await feeds.Mode.SwitchAsync(mode).WaitAsync(cancellationToken);
        feeds.Catalog.Mode = status.Mode;
        return TypedResults.Ok(new ModeAnswer(status.Mode, status.Epoch, status.ChangedAt, feeds.ExchangesIn(status.Mode), before.Epoch != status.Epoch));
    }

    /// <summary>The answer of <c>GET /feeds</c>.</summary>
    /// <param name="Mode">test or live.</param>
    /// <param name="Epoch">The mode's epoch.</param>
    /// <param name="ProxyPolicy">When live feeds use the proxies.</param>
    /// <param name="Feeds">Each feed of the mode: state, source, ticks, and for live feeds the connection.</param>
    private sealed record FeedsAnswer(FeedMode Mode, long Epoch, ProxyPolicy ProxyPolicy, IReadOnlyList<FeedStatus> Feeds);

    /// <summary>The answer of the mode endpoints.</summary>
    /// <param name="Mode">test or live.</param>
    /// <param name="Epoch">The epoch of this mode's trades: every update's <c>epoch</c> is it after the switch.</param>
    /// <param name="ChangedAt">When the mode was set.</param>
    /// <param name="Exchanges">The feeds that run in this mode.</param>
    /// <param name="Switched">Whether this request changed the mode.</param>
    private sealed record ModeAnswer(FeedMode Mode, long Epoch, DateTimeOffset ChangedAt, IReadOnlyList<string> Exchanges, bool Switched);
}
