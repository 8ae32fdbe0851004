using RabbitMQ.Client;

namespace PriceActors.Silo.RabbitMq;

/// <summary>Declares the update exchange; idempotent, so publishers and subscribers both do it.</summary>
internal static class UpdateTopology
{
    public static Task DeclareAsync(IChannel channel, RabbitMqNames names, CancellationToken cancellationToken) =>
        channel.ExchangeDeclareAsync(names.UpdateExchange, ExchangeType.Topic, durable: true, autoDelete: false, arguments: null, cancellationToken: cancellationToken);
}
