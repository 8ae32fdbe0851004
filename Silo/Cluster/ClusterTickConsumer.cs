using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Runtime;
using PriceActors.Silo.RabbitMq;

namespace PriceActors.Silo.Cluster;

/// <summary>
/// Consumes the partitions the broker makes this silo the active consumer of, and hands each batch to
/// its pair actor as a request: the reply comes once the actor's ticks are durable in PostgreSQL, and
/// only then does the stream acknowledge the message. A failed batch (store down, partition fenced)
/// is not acknowledged and is handled again. On stop, every partition is handed over gracefully first
/// (the batch in flight finishes and is acknowledged), and only then is consuming cancelled.
/// </summary>
internal sealed class ClusterTickConsumer(ITickStream stream, IActorClient actors) : BackgroundService
{
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Cancelling first would cancel the batches in flight: left unacknowledged, the next owner would
        // handle them again (harmless, ticks are deduplicated, but a redelivery and a fenced write each).
        if (stream is RabbitMqTickStream rabbit && rabbit.Subscribed.IsCompleted)
        {
            await Task.WhenAll(Enumerable.Range(0, rabbit.PartitionCount).Select(rabbit.ReleasePartitionAsync)).WaitAsync(cancellationToken);
        }

        await base.StopAsync(cancellationToken);
    }

    // The stream pipelines up to RabbitMq:PrefetchPerPartition messages per partition and acks in order.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        stream.ConsumeAsync(
            async (batch, cancellationToken) =>
                await actors.GetActor<IPairActor>(batch.Instrument.Value).AskAsync(new RecordTicks(batch.Ticks), cancellationToken),
            stoppingToken);
}
