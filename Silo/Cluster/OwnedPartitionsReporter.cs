using PriceActors.Silo.Membership;

namespace PriceActors.Silo.Cluster;

/// <summary>Puts the partitions this silo owns into its membership heartbeats (for rebalancing and the cluster dashboard).</summary>
internal sealed class OwnedPartitionsReporter(SiloMembership membership, PartitionOwnership ownership) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        membership.OwnedPartitions = () => [.. ownership.Owned.Keys.Order()];
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
