namespace PriceActors.Tests.Gateway.Hosting;

/// <summary>Tests that start silo and gateway processes: one at a time, so the two cores are not oversubscribed.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterGatewayCollection
{
    public const string Name = "Cluster gateway processes";
}
