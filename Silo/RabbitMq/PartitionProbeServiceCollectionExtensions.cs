namespace PriceActors.Silo.RabbitMq;

/// <summary>Adds ownership probes to a silo.</summary>
public static class PartitionProbeServiceCollectionExtensions
{
    /// <summary>
    /// Adds validated <see cref="PartitionProbeOptions"/> (section <c>Cluster:Probes</c>) and the hosted
    /// service that publishes the probes. Needs the RabbitMQ bus (<see cref="RabbitMqServiceCollectionExtensions.AddRabbitMqBus"/>);
    /// register it after the tick consumer so it stops before the partitions are handed over.
    /// </summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddPartitionProbes(this IServiceCollection services)
    {
        services.AddOptions<PartitionProbeOptions>().BindConfiguration(PartitionProbeOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<PartitionProbePublisher>();
        return services;
    }
}
