using System.Globalization;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;

namespace PriceActors.Bench;

/// <summary>
/// The benchmarks' instruments: exchanges <c>ex1</c>… each trading the generated symbols <c>SYN0001USDT</c>…, named
/// by <see cref="SyntheticFeedOptions"/> itself so that the bench, the silos and the gateway agree.
/// </summary>
internal sealed class BenchCatalog(int exchanges, int symbols)
{
    public IReadOnlyList<InstrumentKey> Instruments { get; } = Options(exchanges, symbols).Instruments();

    /// <summary>The settings that give a silo or a gateway this catalog.</summary>
    public string[] Arguments =>
    [
        .. Enumerable.Range(0, exchanges).SelectMany(i => new[] { $"--Feeds:Synthetic:Exchanges:{i}", $"ex{i + 1}" }),
        "--Feeds:Synthetic:GeneratedSymbols", symbols.ToString(CultureInfo.InvariantCulture),
    ];

    public override string ToString() => $"{exchanges} exchanges x {symbols} symbols = {Instruments.Count} instruments";

    private static SyntheticFeedOptions Options(int exchanges, int symbols) => new()
    {
        Exchanges = [.. Enumerable.Range(1, exchanges).Select(i => $"ex{i}")],
        GeneratedSymbols = symbols,
    };
}
