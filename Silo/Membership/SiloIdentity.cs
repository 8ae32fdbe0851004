using System.Globalization;

namespace PriceActors.Silo.Membership;

/// <summary>
/// Who this silo process is in the cluster: an id unique across restarts (host, process id and start
/// time), used in the membership table, partition ownership and feed leases.
/// </summary>
/// <param name="Id">Unique id, e.g. <c>host-a/4242/20261121T101500Z</c>.</param>
/// <param name="Host">The machine's name.</param>
/// <param name="ProcessId">The operating-system process id.</param>
/// <param name="StartedAt">When the process started (UTC).</param>
public sealed record SiloIdentity(string Id, string Host, int ProcessId, DateTimeOffset StartedAt)
{
    /// <summary>The identity of the current process.</summary>
    /// <param name="time">The clock giving the start time.</param>
    public static SiloIdentity ForThisProcess(TimeProvider time)
    {
        var startedAt = time.GetUtcNow();
        var host = Environment.MachineName.ToLowerInvariant();
        var id = string.Create(CultureInfo.InvariantCulture, $"{host}/{Environment.ProcessId}/{startedAt:yyyyMMdd'T'HHmmssfff'Z'}");
        return new SiloIdentity(id, host, Environment.ProcessId, startedAt);
    }
}
