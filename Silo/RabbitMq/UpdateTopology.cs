using RabbitMQ.Client;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// Declares the update exchange; idempotent, so publishers and subscribers both do it. A direct exchange:
/// gateways bind exact instrument keys, never patterns, and an update message is routed by up to
/// <see cref="RabbitMqOptions.UpdateInstrumentsPerMessage"/> keys (BCC). On this broker (3.10) a topic exchange
/// routing those keys held messages for 40–280 ms at p99 at 100k ticks/s on 2 cores, while the same broker
/// relayed a direct exchange's in 15–17 ms (bench/README.md, session 6).
/// </summary>
internal static class UpdateTopology
{
    public static Task DeclareAsync(IChannel channel, RabbitMqNames names, CancellationToken cancellationToken) =>
        channel.ExchangeDeclareAsync(names.UpdateExchange, ExchangeType.Direct, durable: true, autoDelete: false, arguments: null, cancellationToken: cancellationToken);
}
