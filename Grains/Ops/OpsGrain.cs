using Microsoft.Extensions.DependencyInjection;

namespace PriceActors.Grains.Ops;

/// <summary>
/// Keeps the last <see cref="History"/> reports of every process that reported within <see cref="Forget"/>. In memory
/// only: the view is of the last minutes, and a new activation fills it again within a report period.
/// </summary>
public sealed class OpsGrain([FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time) : Grain, IOpsGrain
{
    /// <summary>Reports kept per process: five minutes at one report every two seconds.</summary>
    public const int History = 150;

    /// <summary>A process silent for this long is left out.</summary>
    public static readonly TimeSpan Forget = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, Queue<ProcessReport>> processes = [];

    /// <inheritdoc/>
    public Task ReportAsync(ProcessReport report)
    {
        if (!processes.TryGetValue(report.Id, out var reports))
        {
            processes[report.Id] = reports = new Queue<ProcessReport>(History);
        }

        if (reports.Count == History)
        {
            reports.Dequeue();
        }

        reports.Enqueue(report);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<ProcessReport[][]> GetAsync()
    {
        var now = time.GetUtcNow();
        foreach (var id in processes.Where(p => now - p.Value.Last().At > Forget).Select(p => p.Key).ToList())
        {
            processes.Remove(id);
        }

        return Task.FromResult(processes.Values.OrderBy(r => r.Last().Role).ThenBy(r => r.Last().Id, StringComparer.Ordinal).Select(r => r.ToArray()).ToArray());
    }
}
