using PriceActors.Grains.Streams;

namespace PriceActors.Silo.RabbitMq;

/// <summary>Counters of one process's RabbitMQ bus, shared by its tick and update streams.</summary>
public sealed class RabbitMqStatistics
{
    internal long BatchesPublished;
    internal long TicksPublished;
    internal long TicksBuffered;
    internal long TickMessagesConfirmed;
    internal long TickPublishFailures;
    internal long TickMessagesConsumed;
    internal long MalformedMessages;
    internal long ProbesPublished;
    internal long ProbesConsumed;
    internal long UpdatesPublished;
    internal long UpdatesDropped;
    internal long UpdateMessagesPublished;
    internal long UpdateMessagesReceived;
    internal long UpdatesDelivered;
    internal int Partitions;
    internal int SubscribedInstruments;

    /// <summary>Tick messages whose publish failed (broker down or nack) and were retried.</summary>
    public long TickPublishFailureCount => Interlocked.Read(ref TickPublishFailures);

    /// <summary>Messages that could not be decoded, acknowledged and dropped.</summary>
    public long MalformedMessageCount => Interlocked.Read(ref MalformedMessages);

    /// <summary>Updates dropped because the publish buffer was full or the broker unreachable.</summary>
    public long UpdatesDroppedCount => Interlocked.Read(ref UpdatesDropped);

    /// <summary>Update messages (each holding the updates of one flush of up to <see cref="RabbitMqOptions.UpdateInstrumentsPerMessage"/> instruments) a subscription received.</summary>
    public long UpdateMessagesReceivedCount => Interlocked.Read(ref UpdateMessagesReceived);

    /// <summary>Update messages this process's update stream published.</summary>
    public long UpdateMessagesPublishedCount => Interlocked.Read(ref UpdateMessagesPublished);

    /// <summary>Tick messages the broker confirmed to this process's publisher.</summary>
    public long TickMessagesConfirmedCount => Interlocked.Read(ref TickMessagesConfirmed);

    /// <summary>Tick messages consumed and acknowledged (ownership probes not included).</summary>
    public long TickMessagesConsumedCount => Interlocked.Read(ref TickMessagesConsumed);

    /// <summary>Ownership probes this process published (one per partition it does not own, per probe interval).</summary>
    public long ProbesPublishedCount => Interlocked.Read(ref ProbesPublished);

    /// <summary>Ownership probes (from any process) this process consumed as a partition's active consumer and acknowledged.</summary>
    public long ProbesConsumedCount => Interlocked.Read(ref ProbesConsumed);

    /// <summary>The counters in the shape every bus reports; <c>QueuedBatches</c> counts ticks buffered or unconfirmed here.</summary>
    public BusStatistics ToBusStatistics() => new(
        "rabbitmq",
        Volatile.Read(ref Partitions),
        Interlocked.Read(ref TicksBuffered),
        Interlocked.Read(ref BatchesPublished),
        Interlocked.Read(ref TicksPublished),
        Interlocked.Read(ref UpdatesPublished),
        Interlocked.Read(ref UpdatesDelivered),
        Volatile.Read(ref SubscribedInstruments));
}
