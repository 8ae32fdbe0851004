using System.Collections.Frozen;
using Microsoft.Extensions.Options;
using PriceActors.Grains.Feeds;

namespace PriceActors.Grains.Instruments;

/// <summary>The instruments of the configured synthetic feeds.</summary>
public sealed class ConfiguredInstrumentCatalog : IInstrumentCatalog
{
    private readonly FrozenSet<InstrumentKey> known;
    private readonly FrozenDictionary<string, InstrumentKey[]> bySymbol;

    /// <summary>Creates the catalog.</summary>
    /// <param name="options">The synthetic feed settings.</param>
    public ConfiguredInstrumentCatalog(IOptions<SyntheticFeedOptions> options)
    {
        All = options.Value.Instruments();
        known = All.ToFrozenSet();
        bySymbol = All.GroupBy(i => i.Symbol, StringComparer.Ordinal).ToFrozenDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);
    }

    /// <inheritdoc/>
    public IReadOnlyList<InstrumentKey> All { get; }

    /// <inheritdoc/>
    public bool Contains(InstrumentKey instrument) => known.Contains(instrument);

    /// <inheritdoc/>
    public IReadOnlyList<InstrumentKey> OfSymbol(string symbol) =>
        bySymbol.TryGetValue(symbol.ToUpperInvariant(), out var instruments) ? instruments : [];
}
