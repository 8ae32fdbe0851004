namespace PriceActors.Tests.Silo.Cluster;

/// <summary>Tests that run several silo processes at once: alone, so the two cores are theirs and timings mean something.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterProcessCollection
{
    public const string Name = "Cluster processes";
}
