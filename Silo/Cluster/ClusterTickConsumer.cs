using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Runtime;

namespace PriceActors.Silo.Cluster;

/// <summary>
/// Consumes the partitions the broker makes this silo the active consumer of, and hands each batch to
/// its pair actor as a request: the reply comes once the actor's ticks are durable in PostgreSQL, and
/// only then does the stream acknowledge the message. A failed batch (store down, partition fenced)
/// is not acknowledged and is handled again. On stop the stream hands every partition over gracefully:
/// the batches in flight finish and are acknowledged.
/// </summary>
internal sealed class ClusterTickConsumer(ITickStream stream, IActorClient actors) : BackgroundService
{
    // The stream pipelines up to RabbitMq:PrefetchPerPartition messages per partition and acks in order.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        stream.ConsumeAsync(
            async (batch, cancellationToken) =>
                await actors.GetActor<IPairActor>(batch.Instrument.Value).AskAsync(new RecordTicks(batch.Ticks), cancellationToken),
            stoppingToken);
}
