using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Runtime;
using PriceActors.Silo.Postgres;

namespace PriceActors.Silo.Cluster;

/// <summary>
/// Consumes the partitions the broker makes this silo the active consumer of, and hands each batch to
/// its pair actor as <see cref="TakeTicks"/>: the actor replies once it has taken the batch and queued
/// its append (and answers queries while it commits); the stream hands the instrument's next batch over
/// once this one is durable, or earlier with <c>RabbitMq:BatchesInFlightPerInstrument</c> above 1, and
/// acknowledges the message only once the append is durable in PostgreSQL. A failed batch (store down,
/// partition fenced) and those of its instrument taken after it are handed over again, in order. On stop
/// the stream hands every partition over gracefully: the batches in flight finish and are acknowledged.
/// It subscribes only once the schema is applied: a silo started while PostgreSQL is down takes no partition
/// (and answers no query for one) until then, and the other silos keep them.
/// </summary>
internal sealed class ClusterTickConsumer(ITickStream stream, IActorClient actors, SchemaMigrator schema) : BackgroundService
{
    // The stream pipelines up to RabbitMq:PrefetchPerPartition messages per partition and acks in order.
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await schema.WaitUntilAppliedAsync(stoppingToken);
        await stream.ConsumePipelinedAsync(
            async (batch, after, cancellationToken) =>
                (await actors.GetActor<IPairActor>(batch.Instrument.Value).AskAsync(new TakeTicks(batch.Ticks, after), cancellationToken)).Durable,
            stoppingToken);
    }
}
