using Orleans.Concurrency;

namespace PriceActors.Grains;

/// <summary>
/// The operations view of the cluster, one grain (<see cref="Key"/>): every gateway and silo reports to it every few
/// seconds (<see cref="ProcessReport"/>); it keeps each process's last minutes in memory and forgets a process that
/// stopped reporting. The processes keep their own last minutes too and send them again to an activation that holds
/// fewer (after the grain moved), so the view outlives its activation.
/// </summary>
[Alias("priceactors.IOpsGrain")]
public interface IOpsGrain : IGrainWithStringKey
{
    /// <summary>The key of the one operations grain.</summary>
    const string Key = "cluster";

    /// <summary>Takes reports of one process, oldest first; those it already holds (by time) are skipped.</summary>
    /// <param name="reports">One process's reports: its newest, or all it kept.</param>
    /// <returns>How many of that process's reports the grain holds now.</returns>
    [Alias("Report")]
    Task<int> ReportAsync(ProcessReport[] reports);

    /// <summary>
    /// Each live process's reports of the last minutes, oldest first; with <paramref name="after"/>, only those made later
    /// and, of a process with none, its newest (so a reader that keeps what it read learns of every live process).
    /// </summary>
    /// <param name="after">Leave out reports made at or before this time; <see langword="null"/> for all.</param>
    [AlwaysInterleave]
    [Alias("GetAfter")]
    Task<ProcessReport[][]> GetAsync(DateTimeOffset? after = null);
}
