using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using PriceActors.Silo.Feeds;
using PriceActors.Silo.Membership;
using PriceActors.Silo.Postgres;
using PriceActors.Silo.RabbitMq;
using PriceActors.Silo.RabbitMq.Requests;

namespace PriceActors.Silo.Cluster;

/// <summary>Adds a cluster silo to a host.</summary>
public static class ClusterSiloServiceCollectionExtensions
{
    /// <summary>
    /// Adds the silo of cluster mode: the actor runtime with the pair and feed actors, the PostgreSQL
    /// store with the schema migrator and partition fence, membership, the RabbitMQ tick and update
    /// streams with partition ownership, the durable tick consumer, the partition balancer
    /// (<c>Cluster:Balancing</c>) and (unless <c>Cluster:RunFeeds</c> is false) the feed election. Hosted
    /// services start in this order and stop in reverse, once membership has marked the silo shutting down:
    /// feeds first, then the balancer, then the partitions are handed over, then membership records the
    /// silo dead (it left), then the actors.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration, read for <c>Cluster:RunFeeds</c>.</param>
    public static IServiceCollection AddClusterSilo(this IServiceCollection services, IConfiguration configuration)
    {
        var cluster = configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        services.AddSiloActors();

        services.AddPostgresStore();
        services.AddMembership();
        services.TryAddSingleton<PartitionOwnership>();
        services.Replace(ServiceDescriptor.Singleton<IPartitionLifecycle>(sp => sp.GetRequiredService<PartitionOwnership>()));
        services.AddRabbitMqBus();
        services.AddPartitionRequestServer();
        services.AddHostedService<OwnedPartitionsReporter>();
        services.AddHostedService<ClusterTickConsumer>();
        services.AddPartitionProbes();
        services.AddOptions<PartitionBalancerOptions>().BindConfiguration(PartitionBalancerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<PartitionBalancer>();
        if (cluster.RunFeeds)
        {
            services.AddFeedElection();
        }

        return services;
    }
}
