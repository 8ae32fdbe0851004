using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Runtime;

namespace PriceActors.Silo.Cluster;

/// <summary>
/// Consumes the partitions the broker makes this silo the active consumer of, and hands each batch to
/// its pair actor as a request: the reply comes once the actor's ticks are durable in PostgreSQL, and
/// only then does the stream acknowledge the message. A failed batch (store down, partition fenced)
/// is not acknowledged and is handled again.
/// </summary>
internal sealed class ClusterTickConsumer(ITickStream stream, IActorClient actors) : BackgroundService
{
    // REVIEW: one batch at a time per partition; pipelining several per partition (acking in order)
    // would lift per-partition throughput above one group commit per message.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        stream.ConsumeAsync(
            async (batch, cancellationToken) =>
                await actors.GetActor<IPairActor>(batch.Instrument.Value).AskAsync(new RecordTicks(batch.Ticks), cancellationToken),
            stoppingToken);
}
