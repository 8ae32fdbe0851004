namespace PriceActors.Grains.Instruments;

/// <summary>The instruments the system knows: what the feeds produce. Anything else is answered with "not found".</summary>
public interface IInstrumentCatalog
{
    /// <summary>Every known instrument, exchange by exchange.</summary>
    IReadOnlyList<InstrumentKey> All { get; }

    /// <summary>Whether the instrument is known.</summary>
    /// <param name="instrument">The instrument.</param>
    bool Contains(InstrumentKey instrument);

    /// <summary>The known instruments of one symbol across exchanges.</summary>
    /// <param name="symbol">The symbol, any case.</param>
    IReadOnlyList<InstrumentKey> OfSymbol(string symbol);
}
