namespace PriceActors.Silo.Cluster;

/// <summary>What one balancing round decided for this silo.</summary>
/// <param name="Release">How many partitions to hand over now (0: none).</param>
/// <param name="Reason">Why, for the log.</param>
/// <param name="LiveSilos">Live silos counted.</param>
/// <param name="Floor">floor(partitions / live silos).</param>
/// <param name="Ceiling">ceil(partitions / live silos): the most a silo should own.</param>
internal sealed record BalancingPlan(int Release, string Reason, int LiveSilos, int Floor, int Ceiling)
{
    public static BalancingPlan None(string reason, int liveSilos = 0, int floor = 0, int ceiling = 0) => new(0, reason, liveSilos, floor, ceiling);
}
