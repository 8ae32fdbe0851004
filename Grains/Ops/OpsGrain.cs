using Microsoft.Extensions.DependencyInjection;

namespace PriceActors.Grains.Ops;

/// <summary>
/// Keeps the last <see cref="History"/> reports of every process that reported within <see cref="Forget"/>, in memory: a
/// new activation is filled again by the processes, which keep their own last reports.
/// </summary>
public sealed class OpsGrain([FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time) : Grain, IOpsGrain
{
    /// <summary>Reports kept per process: five minutes at one report every two seconds.</summary>
    public const int History = 150;

    /// <summary>A process silent for this long is left out.</summary>
    public static readonly TimeSpan Forget = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, List<ProcessReport>> processes = [];

    /// <inheritdoc/>
    public Task<int> ReportAsync(ProcessReport[] reports)
    {
        if (reports.Length == 0)
        {
            return Task.FromResult(0);
        }

        var id = reports[^1].Id;
        if (!processes.TryGetValue(id, out var held))
        {
            processes[id] = held = new List<ProcessReport>(History);
        }

        foreach (var report in reports.Where(r => r.Id == id))
        {
            var at = held.FindLastIndex(r => r.At <= report.At);
            if (at < 0 || held[at].At != report.At)
            {
                held.Insert(at + 1, report);
            }
        }

        if (held.Count > History)
        {
            held.RemoveRange(0, held.Count - History);
        }

        return Task.FromResult(held.Count);
    }

    /// <inheritdoc/>
    public Task<ProcessReport[][]> GetAsync(DateTimeOffset? after = null)
    {
        var now = time.GetUtcNow();
        foreach (var id in processes.Where(p => now - p.Value[^1].At > Forget).Select(p => p.Key).ToList())
        {
            processes.Remove(id);
        }

        return Task.FromResult(processes.Values
            .OrderBy(r => r[^1].Role, StringComparer.Ordinal).ThenBy(r => r[^1].Id, StringComparer.Ordinal)
            .Select(r => after is null ? [.. r] : r[^1].At > after ? [.. r.Where(x => x.At > after)] : new[] { r[^1] })
            .ToArray());
    }
}
