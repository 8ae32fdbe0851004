using PriceActors.Silo.Membership;
using PriceActors.Silo.RabbitMq;

namespace PriceActors.Silo.Cluster;

/// <summary>
/// Puts the partitions this silo owns into its membership heartbeats (for rebalancing and the cluster
/// dashboard), and keeps the silo joining until it has subscribed to every partition: other silos hand
/// partitions over only to active silos, which are in every partition's line.
/// </summary>
internal sealed class OwnedPartitionsReporter(SiloMembership membership, PartitionOwnership ownership, RabbitMqTickStream stream) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        membership.OwnedPartitions = () => [.. ownership.Owned.Keys.Order()];
        membership.Ready = () => stream.Subscribed.IsCompleted;
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
