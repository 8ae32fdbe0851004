using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;
using PriceActors.Grains.Instruments;

namespace PriceActors.Gateway.Api;

/// <summary>What the feed, mode and proxy endpoints take from the services (bound with <c>[AsParameters]</c>).</summary>
/// <param name="Grains">The cluster's grains.</param>
/// <param name="Catalog">This process's instrument catalog, which follows the mode.</param>
/// <param name="Live">The live feeds' settings.</param>
/// <param name="Synthetic">The synthetic feeds' settings.</param>
internal readonly record struct FeedContext(
    IGrainFactory Grains,
    ConfiguredInstrumentCatalog Catalog,
    IOptions<LiveFeedsOptions> Live,
    IOptions<SyntheticFeedOptions> Synthetic)
{
    /// <summary>The one feed mode grain.</summary>
    public IFeedModeGrain Mode => Grains.GetGrain<IFeedModeGrain>(IFeedModeGrain.Key);

    /// <summary>The exchanges whose feeds run in <paramref name="mode"/>.</summary>
    public IReadOnlyList<string> ExchangesIn(FeedMode mode) => Live.Value.ExchangesIn(mode, Synthetic.Value);

    /// <summary>The status of each feed of <paramref name="mode"/>.</summary>
    public Task<FeedStatus[]> FeedsAsync(FeedMode mode, CancellationToken cancellationToken)
    {
        var grains = Grains;
        return Task.WhenAll(ExchangesIn(mode).Select(e => grains.GetGrain<IExchangeFeedGrain>(e).GetStatusAsync().WaitAsync(cancellationToken)));
    }
}
