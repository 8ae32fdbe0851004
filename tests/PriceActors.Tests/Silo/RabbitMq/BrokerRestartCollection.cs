namespace PriceActors.Tests.Silo.RabbitMq;

/// <summary>Tests that restart the shared broker: run alone, after the parallel tests, so no other test sees it down.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BrokerRestartCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "RabbitMQ broker restart";
}
