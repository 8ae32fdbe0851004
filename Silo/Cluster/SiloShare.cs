namespace PriceActors.Silo.Cluster;

/// <summary>A live silo and how many partitions it owns (its last heartbeat's, or this silo's own count).</summary>
/// <param name="SiloId">The silo.</param>
/// <param name="Partitions">Partitions it owns.</param>
internal readonly record struct SiloShare(string SiloId, int Partitions);
