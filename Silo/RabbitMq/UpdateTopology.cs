using RabbitMQ.Client;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// Declares the update exchange; idempotent, so publishers and subscribers both do it. A direct exchange:
/// gateways bind exact instrument keys, never patterns, and an update message is routed by up to
/// <see cref="RabbitMqOptions.UpdateInstrumentsPerMessage"/> keys (BCC). On the broker we run (3.10), at 100k
/// ticks/s on 2 cores, update messages took 44–278 ms at p99 from silo to gateway through a topic exchange and
/// 9–26 ms in most runs through a direct one (bench/README.md).
/// </summary>
internal static class UpdateTopology
{
    public static Task DeclareAsync(IChannel channel, RabbitMqNames names, CancellationToken cancellationToken) =>
        channel.ExchangeDeclareAsync(names.UpdateExchange, ExchangeType.Direct, durable: true, autoDelete: false, arguments: null, cancellationToken: cancellationToken);
}
