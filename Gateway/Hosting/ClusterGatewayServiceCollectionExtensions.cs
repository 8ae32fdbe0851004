using Microsoft.Extensions.DependencyInjection.Extensions;
using PriceActors.Gateway.Pairs;
using PriceActors.Grains.Streams;
using PriceActors.Silo;
using PriceActors.Silo.RabbitMq.Requests;

namespace PriceActors.Gateway.Hosting;

/// <summary>Adds the backends of a cluster gateway.</summary>
public static class ClusterGatewayServiceCollectionExtensions
{
    /// <summary>
    /// Adds what a stateless cluster gateway needs and nothing more (no actor runtime, feeds, store or
    /// tick consumer): the RabbitMQ connection, the update stream for the broadcaster, the actor client
    /// over RabbitMQ request/reply, the instrument catalog from <c>Feeds:Synthetic</c> (the silos' own
    /// setting) and <c>Pairs</c> (for the window length that bounds query periods).
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddClusterGateway(this IServiceCollection services)
    {
        services.AddRabbitMqActorClient();
        services.TryAddSingleton<IUpdateSource>(sp => sp.GetRequiredService<IUpdateStream>());
        services.TryAddSingleton<IPairQueries, ActorPairQueries>();
        services.AddGrainOptions();
        return services;
    }
}
