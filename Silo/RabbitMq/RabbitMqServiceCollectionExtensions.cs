using Microsoft.Extensions.DependencyInjection.Extensions;
using PriceActors.Grains.Streams;
using PriceActors.Silo.Health;

namespace PriceActors.Silo.RabbitMq;

/// <summary>Adds the RabbitMQ bus (cluster mode) to a host.</summary>
public static class RabbitMqServiceCollectionExtensions
{
    /// <summary>
    /// Adds the RabbitMQ bus: validated <see cref="RabbitMqOptions"/> (section <c>RabbitMq</c>) and
    /// <see cref="StreamOptions"/>, the process's connection, the tick and update streams (replacing any
    /// registered <see cref="ITickStream"/> / <see cref="IUpdateStream"/>), the statistics and the
    /// <c>rabbitmq</c> health check (tag <c>ready</c>). Register an <see cref="IPartitionLifecycle"/> to
    /// claim partitions; without one, acquisitions are only logged.
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddRabbitMqBus(this IServiceCollection services)
    {
        services.AddOptions<RabbitMqOptions>().BindConfiguration(RabbitMqOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StreamOptions>().BindConfiguration(StreamOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IPartitionLifecycle>(NoPartitionLifecycle.Instance);
        services.TryAddSingleton<RabbitMqStatistics>();
        services.TryAddSingleton<RabbitMqConnection>();
        services.TryAddSingleton<RabbitMqTickStream>();
        services.TryAddSingleton<RabbitMqUpdateStream>();
        services.Replace(ServiceDescriptor.Singleton<ITickStream>(sp => sp.GetRequiredService<RabbitMqTickStream>()));
        services.Replace(ServiceDescriptor.Singleton<IUpdateStream>(sp => sp.GetRequiredService<RabbitMqUpdateStream>()));
        services.AddHealthChecks().AddCheck<RabbitMqHealthCheck>("rabbitmq", tags: ["ready"]);
        return services;
    }
}
