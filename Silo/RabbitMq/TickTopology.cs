using RabbitMQ.Client;

namespace PriceActors.Silo.RabbitMq;

/// <summary>Declares the tick partitions' queues; idempotent, so publishers and consumers both do it.</summary>
internal static class TickTopology
{
    // Quorum queues with single active consumer: classic SAC queues crashed on hand-over under load on
    // 3.10.8, quorum ones handed over cleanly (see RABBITMQ-NOTES.md).
    private static readonly Dictionary<string, object?> Arguments = new()
    {
        ["x-queue-type"] = "quorum",
        ["x-single-active-consumer"] = true,
    };

    public static async Task DeclareAsync(IChannel channel, RabbitMqNames names, int partitionCount, CancellationToken cancellationToken)
    {
        for (var p = 0; p < partitionCount; p++)
        {
            await channel.QueueDeclareAsync(names.TickQueue(p), durable: true, exclusive: false, autoDelete: false, Arguments, cancellationToken: cancellationToken);
        }
    }
}
