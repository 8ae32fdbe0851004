using Microsoft.Extensions.DependencyInjection.Extensions;
using PriceActors.Grains.Streams;
using PriceActors.Runtime;
using PriceActors.Silo.Health;

namespace PriceActors.Silo.RabbitMq.Requests;

/// <summary>Adds actor requests over RabbitMQ: the silo's server and the gateway's client.</summary>
public static class RabbitMqRequestServiceCollectionExtensions
{
    /// <summary>
    /// Adds the silo side: <see cref="PartitionRequestServer"/>, which the partition ownership starts and
    /// stops with each partition, its validated <see cref="RabbitMqRequestOptions"/> (section
    /// <c>RabbitMq:Requests</c>) and the <c>requests</c> health check. Needs the RabbitMQ bus and the actor runtime.
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddPartitionRequestServer(this IServiceCollection services)
    {
        services.AddRequestOptions();
        services.TryAddSingleton<PartitionRequestServer>();
        services.AddHealthChecks().AddCheck<RequestServerHealthCheck>("requests");
        return services;
    }

    /// <summary>
    /// Adds what a gateway in cluster mode needs of the broker, and nothing of a silo: the connection and
    /// its validated options (<c>RabbitMq</c>, <c>Streams</c>, <c>RabbitMq:Requests</c>), the update stream
    /// as <see cref="IUpdateStream"/> (subscriptions only), <see cref="RabbitMqActorTransport"/> as
    /// <see cref="IActorTransport"/> with an <see cref="IActorClient"/> over it, and the <c>rabbitmq</c> and
    /// <c>requests</c> health checks (tag <c>ready</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddRabbitMqActorClient(this IServiceCollection services)
    {
        services.AddOptions<RabbitMqOptions>().BindConfiguration(RabbitMqOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StreamOptions>().BindConfiguration(StreamOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddRequestOptions();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RabbitMqStatistics>();
        services.TryAddSingleton<RabbitMqConnection>();
        services.TryAddSingleton<RabbitMqUpdateStream>();
        services.TryAddSingleton<IUpdateStream>(sp => sp.GetRequiredService<RabbitMqUpdateStream>());
        services.TryAddSingleton<RabbitMqActorTransport>();
        services.TryAddSingleton<IActorTransport>(sp => sp.GetRequiredService<RabbitMqActorTransport>());
        services.TryAddSingleton<IActorClient>(sp => new TransportActorClient(sp.GetRequiredService<IActorTransport>()));
        services.AddHostedService(sp => sp.GetRequiredService<RabbitMqActorTransport>());
        services.AddHealthChecks()
            .AddCheck<RabbitMqHealthCheck>("rabbitmq", tags: ["ready"])
            .AddCheck<RequestTransportHealthCheck>("requests", tags: ["ready"]);
        return services;
    }

    private static void AddRequestOptions(this IServiceCollection services)
    {
        services.AddOptions<RabbitMqRequestOptions>().BindConfiguration(RabbitMqRequestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<RequestStatistics>();
    }
}
