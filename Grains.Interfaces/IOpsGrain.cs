using Orleans.Concurrency;

namespace PriceActors.Grains;

/// <summary>
/// The operations view of the cluster, one grain (<see cref="Key"/>): every gateway and silo reports to it every few
/// seconds (<see cref="ProcessReport"/>); it keeps each process's last minutes in memory (an activation that moves
/// starts them over) and forgets a process that stopped reporting.
/// </summary>
[Alias("priceactors.IOpsGrain")]
public interface IOpsGrain : IGrainWithStringKey
{
    /// <summary>The key of the one operations grain.</summary>
    const string Key = "cluster";

    /// <summary>Takes a process's report.</summary>
    /// <param name="report">The report.</param>
    [Alias("Report")]
    [OneWay]
    Task ReportAsync(ProcessReport report);

    /// <summary>Each live process's reports of the last minutes, oldest first.</summary>
    [AlwaysInterleave]
    [Alias("Get")]
    Task<ProcessReport[][]> GetAsync();
}
