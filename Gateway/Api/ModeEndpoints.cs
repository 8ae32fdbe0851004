using Microsoft.Extensions.Options;
using PriceActors.Gateway.Admin;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;
using PriceActors.Grains.Instruments;

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
        switching.MapPost("/test", (IGrainFactory grains, ConfiguredInstrumentCatalog catalog, IOptions<LiveFeedsOptions> live, IOptions<SyntheticFeedOptions> synthetic, CancellationToken cancellationToken) =>
            SwitchAsync(FeedMode.Test, grains, catalog, live.Value, synthetic.Value, cancellationToken));
        switching.MapPost("/live", (IGrainFactory grains, ConfiguredInstrumentCatalog catalog, IOptions<LiveFeedsOptions> live, IOptions<SyntheticFeedOptions> synthetic, CancellationToken cancellationToken) =>
            SwitchAsync(FeedMode.Live, grains, catalog, live.Value, synthetic.Value, cancellationToken));
        return app;
    }

    private static async Task<IResult> GetAsync(
        IGrainFactory grains, IOptions<LiveFeedsOptions> live, IOptions<SyntheticFeedOptions> synthetic, CancellationToken cancellationToken)
    {
        var status = await grains.GetGrain<IFeedModeGrain>(IFeedModeGrain.Key).GetAsync().WaitAsync(cancellationToken);
        return TypedResults.Ok(ModeAnswer.Of(status, live.Value, synthetic.Value, switched: false));
    }

    private static async Task<IResult> GetFeedsAsync(
        IGrainFactory grains, IOptions<LiveFeedsOptions> live, IOptions<SyntheticFeedOptions> synthetic, CancellationToken cancellationToken)
    {
        var status = await grains.GetGrain<IFeedModeGrain>(IFeedModeGrain.Key).GetAsync().WaitAsync(cancellationToken);
        var feeds = await Task.WhenAll(live.Value.ExchangesIn(status.Mode, synthetic.Value)
            .Select(e => grains.GetGrain<IExchangeFeedGrain>(e).GetStatusAsync().WaitAsync(cancellationToken)));
        return TypedResults.Ok(new FeedsAnswer(status.Mode, status.Epoch, status.Proxy.Policy, feeds));
    }

    private static async Task<IResult> SwitchAsync(
        FeedMode mode, IGrainFactory grains, ConfiguredInstrumentCatalog catalog, LiveFeedsOptions live, SyntheticFeedOptions synthetic, CancellationToken cancellationToken)
    {
        var before = await grains.GetGrain<IFeedModeGrain>(IFeedModeGrain.Key).GetAsync().WaitAsync(cancellationToken);
        var status = await grains.GetGrain<IFeedModeGrain>(IFeedModeGrain.Key).SwitchAsync(mode).WaitAsync(cancellationToken);
        catalog.Mode = status.Mode;
        return TypedResults.Ok(ModeAnswer.Of(status, live, synthetic, switched: before.Epoch != status.Epoch));
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
    private sealed record ModeAnswer(FeedMode Mode, long Epoch, DateTimeOffset ChangedAt, IReadOnlyList<string> Exchanges, bool Switched)
    {
        public static ModeAnswer Of(FeedModeStatus status, LiveFeedsOptions live, SyntheticFeedOptions synthetic, bool switched) =>
            new(status.Mode, status.Epoch, status.ChangedAt, live.ExchangesIn(status.Mode, synthetic), switched);
    }
}
