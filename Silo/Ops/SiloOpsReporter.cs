using PriceActors.Grains;
using PriceActors.Grains.Ops;

namespace PriceActors.Silo.Ops;

/// <summary>
/// Reports this silo's tick streams and busiest pairs (<see cref="SiloActivity"/>) to the operations grain; its <c>pairs</c>
/// are those that took trades here since the last report (a pair that moved to another silo no longer counts).
/// </summary>
public sealed class SiloOpsReporter(IGrainFactory grains, ILocalSiloDetails silo, TimeProvider time, ILogger<SiloOpsReporter> logger)
    : OpsReporter(grains, time, logger)
{
    /// <summary>Pairs in a report: those with the most trades since the last one.</summary>
    public const int MaxPairs = 50;

    private Dictionary<string, long> previous = [];

    /// <inheritdoc/>
    protected override ProcessReport Report(DateTimeOffset now)
    {
        var pairs = SiloActivity.Pairs();
        var active = pairs.Select(p => (Pair: p, Recent: p.Ticks - previous.GetValueOrDefault(p.Instrument))).Where(p => p.Recent > 0).ToList();
        var busiest = active.OrderByDescending(p => p.Recent).Take(MaxPairs).Select(p => p.Pair).ToArray();
        previous = pairs.ToDictionary(p => p.Instrument, p => p.Ticks);
        return new ProcessReport(
            silo.SiloAddress.ToParsableString(),
            "silo",
            now,
            new Dictionary<string, long> { ["ticks"] = pairs.Sum(p => p.Ticks) },
            new Dictionary<string, double> { ["pairs"] = active.Count },
            SiloActivity.Streams(),
            busiest);
    }
}
