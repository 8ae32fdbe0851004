using PriceActors.Tests.Silo.Postgres;

namespace PriceActors.Tests.Silo.Cluster;

/// <summary>Who owns which partitions, as the active silos' last heartbeats in the <c>silos</c> table say.</summary>
internal sealed record ClusterSnapshot(IReadOnlyDictionary<string, int[]> Owned)
{
    public static async Task<ClusterSnapshot> ReadAsync(PostgresDatabase database)
    {
        await using var command = database.DataSource.CreateCommand("SELECT silo_id, partitions FROM silos WHERE status = 'active' ORDER BY silo_id");
        await using var reader = await command.ExecuteReaderAsync();
        var owned = new Dictionary<string, int[]>();
        while (await reader.ReadAsync())
        {
            owned[reader.GetString(0)] = reader.GetFieldValue<int[]>(1);
        }

        return new ClusterSnapshot(owned);
    }

    /// <summary>
    /// Every partition has exactly one owner among <paramref name="silos"/> active silos, and each owns
    /// between floor and ceil of its share.
    /// </summary>
    public bool IsBalanced(int partitions, int silos)
    {
        var all = Owned.Values.SelectMany(p => p).Order().ToArray();
        return Owned.Count == silos
            && all.SequenceEqual(Enumerable.Range(0, partitions))
            && Owned.Values.All(p => p.Length >= partitions / silos && p.Length <= (partitions + silos - 1) / silos);
    }

    public override string ToString() =>
        string.Join("; ", Owned.Select(o => $"{o.Key}=[{string.Join(',', o.Value)}]"));
}
