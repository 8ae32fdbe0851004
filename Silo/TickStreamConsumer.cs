using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Runtime;

namespace PriceActors.Silo;

/// <summary>
/// Consumes the tick partitions this silo owns and hands each batch to its instrument's pair actor.
/// In embedded mode a batch is delivered once it is in the actor's mailbox (the in-memory stream
/// has nothing to acknowledge); the actor's mailbox bound pushes back on the stream and the feeds.
/// </summary>
internal sealed class TickStreamConsumer(ITickStream stream, IActorClient actors) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        stream.ConsumeAsync(
            (batch, cancellationToken) => actors.GetActor<IPairActor>(batch.Instrument.Value).TellAsync(new RecordTicks(batch.Ticks), cancellationToken),
            stoppingToken);
}
