using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using PriceActors.Grains.Feeds;

namespace PriceActors.Grains.Instruments;

/// <summary>
/// The instruments of the configured feeds in the current mode: the synthetic feeds' in test mode, the live sources' in
/// live mode.
/// </summary>
public sealed class ConfiguredInstrumentCatalog : IInstrumentCatalog
{
    private readonly Instruments test;
    private readonly Instruments live;
    private volatile Instruments current;

    /// <summary>Creates the catalog in the configured mode.</summary>
    /// <param name="synthetic">The synthetic feed settings.</param>
    /// <param name="feeds">The live feed settings and the configured mode.</param>
    public ConfiguredInstrumentCatalog(IOptions<SyntheticFeedOptions> synthetic, IOptions<LiveFeedsOptions> feeds)
    {
        test = new Instruments(synthetic.Value.Instruments());
        live = new Instruments([.. feeds.Value.Instruments().Distinct()]);
        current = feeds.Value.Mode == FeedMode.Live ? live : test;
    }

    /// <summary>The mode whose instruments the catalog lists.</summary>
    public FeedMode Mode
    {
        get => current == live ? FeedMode.Live : FeedMode.Test;
        set => current = value == FeedMode.Live ? live : test;
    }

    /// <inheritdoc/>
    public IReadOnlyList<InstrumentKey> All => current.All;

    /// <inheritdoc/>
    public bool Contains(InstrumentKey instrument) => current.Known.Contains(instrument);

    /// <inheritdoc/>
    public IReadOnlyList<InstrumentKey> OfSymbol(string symbol) =>
        current.BySymbol.TryGetValue(symbol.ToUpperInvariant(), out var instruments) ? instruments : [];

    private sealed class Instruments(IReadOnlyList<InstrumentKey> all)
    {
        public IReadOnlyList<InstrumentKey> All { get; } = all;

        public FrozenSet<InstrumentKey> Known { get; } = all.ToFrozenSet();

        public FrozenDictionary<string, InstrumentKey[]> BySymbol { get; } =
            all.GroupBy(i => i.Symbol, StringComparer.Ordinal).ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
    }
}
