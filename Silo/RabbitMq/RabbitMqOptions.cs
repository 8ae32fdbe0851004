using System.ComponentModel.DataAnnotations;

namespace PriceActors.Silo.RabbitMq;

/// <summary>Settings of the RabbitMQ bus (cluster mode), bound from the <c>RabbitMq</c> section.</summary>
public sealed class RabbitMqOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "RabbitMq";

    /// <summary>AMQP URI of the broker, e.g. <c>amqp://guest:guest@localhost:5672/</c>. Required.</summary>
    [Required]
    public Uri? Uri { get; set; }

    /// <summary>
    /// Prefix of every queue and exchange name, so several systems (or tests) can share one broker.
    /// Default <c>priceactors</c>; 1 to 64 letters, digits, '.', '_' or '-'.
    /// </summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$")]
    public string Prefix { get; set; } = "priceactors";

    /// <summary>
    /// AMQP heartbeat. Default 5 s; 1 s to 60 s. Short on purpose: a frozen owner keeps its partitions
    /// until two heartbeats are missed, so this bounds how long a partition can stall.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the client tries to reconnect while the broker is down. Default 2 s; 100 ms to 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan NetworkRecoveryInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Tick messages of a partition in flight at a time: the broker pushes this many unacknowledged
    /// messages ahead, and the consumer hands all of their batches to the pair actors without waiting for
    /// earlier ones to become durable (acks follow in delivery order). Default 64; 1 to 1000. 1 handles
    /// one message at a time (one group commit per message: about 3k ticks/s per partition). Larger
    /// keeps more pairs of a partition busy per group commit, but it is also what a frozen or departing
    /// owner still holds and what a new owner receives again. It limits throughput only when the broker
    /// has a backlog: at 100k ticks/s on 2 cores a partition had at most 7–22 messages in flight
    /// (<c>priceactors.ticks.in_flight</c>). At saturation a silo owning every partition holds partitions ×
    /// prefetch: 8 × 64 keeps the 512 messages that 16 × 32 held before (bench/README.md).
    /// </summary>
    [Range(1, 1000)]
    public ushort PrefetchPerPartition { get; set; } = 64;

    /// <summary>
    /// Batches of one instrument a silo hands its pair actor before the first of them is durable. Default 1; 1 to 64.
    /// The actor takes a batch (window, bar, price update published) and ends its turn; it has one append to
    /// PostgreSQL in flight, and what it takes while that commits goes in the next one, so more batches in flight do
    /// not mean more appends. With 1 the next batch goes over only once the previous is durable, so its update waits
    /// for that commit. At 100k ticks/s on 2 cores, 16 took the tick-to-gateway p50 from a median of 20 ms to 14 ms,
    /// left the p99 in the noise (53–125 against 59–104 ms), and cost the silo a tenth more CPU, a third more GC pauses
    /// and the cluster ingest a tenth (bench/README.md), since a pair then takes most batches in a turn of
    /// their own. Raise it where the silo has cores to spare. Whatever arrives beyond the limit, or while the actor is busy, waits and
    /// goes over merged into one batch. After a failed append, that batch and those taken after it are handed over
    /// again, in order, one at a time.
    /// </summary>
    [Range(1, 64)]
    public int BatchesInFlightPerInstrument { get; set; } = 1;

    /// <summary>
    /// Most ticks packed into one tick message. Default 200; 1 to 10,000. Batching is the main throughput
    /// lever: the broker moves messages, not ticks. Each message is a quorum-queue log entry and each ack
    /// another, so fewer, larger messages also leave the broker less work and fewer stalls: at 100k ticks/s
    /// on 2 cores, 200 instead of 50 cut the p99 tick→gateway latency from a median of 95 ms to 53 ms (bench/README.md).
    /// A publisher does not wait to fill a message beyond <see cref="PublishFlushInterval"/>. An instrument goes in one
    /// message of a confirm round at most (so a nack cannot put its later trades ahead of earlier ones), which caps
    /// one instrument at this many ticks a round: 40k ticks/s with 200 at the 5 ms p50 a round took at 100k ticks/s here
    /// (bench/README.md).
    /// </summary>
    [Range(1, 10_000)]
    public int TicksPerMessage { get; set; } = 200;

    /// <summary>
    /// The encoding of the tick messages this process publishes (<see cref="TickCodec"/>), probes included: 2 (default),
    /// compact, 8–16 bytes a tick; or 1, 56 bytes a tick, the only one releases before it read. Every silo reads
    /// both. A release that reads only 1 counts a version-2 message as malformed and drops it, so a cluster upgraded
    /// from one runs with 1 until no silo of the old release is left, then switches to 2.
    /// </summary>
    [Range(1, 2)]
    public int TickMessageVersion { get; set; } = 2;

    /// <summary>
    /// How long the tick publisher waits for more ticks when it has less than one full message.
    /// Default 2 ms; 0 to 1 s. Trades a little latency for fuller messages.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:01")]
    public TimeSpan PublishFlushInterval { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>Tick messages published and not yet confirmed by the broker at a time. Default 256; 1 to 10,000.</summary>
    [Range(1, 10_000)]
    public int MaxUnconfirmedMessages { get; set; } = 256;

    /// <summary>
    /// Ticks buffered or unconfirmed before publishers wait (back-pressure, also while the broker is down).
    /// Default 200,000; 1 to 100,000,000. A single batch larger than this is still accepted when nothing else waits.
    /// </summary>
    [Range(1, 100_000_000)]
    public int MaxBufferedTicks { get; set; } = 200_000;

    /// <summary>How often buffered updates are flushed to the update exchange. Default 5 ms; 1 ms to 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:01")]
    public TimeSpan UpdateFlushInterval { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Instruments whose updates of one flush travel in one message, routed to every gateway queue bound to
    /// any of them (the instruments' routing keys in the <c>BCC</c> header; the broker delivers a message once
    /// per queue). A gateway queue takes only about 40k messages/s (RABBITMQ-NOTES.md), so one message per
    /// instrument and flush caps a gateway at that many instrument updates per second; a gateway drops the
    /// sections it did not subscribe to. Default 64; 1 (one message per instrument) to 4,096.
    /// </summary>
    [Range(1, 4_096)]
    public int UpdateInstrumentsPerMessage { get; set; } = 64;

    /// <summary>
    /// Updates buffered for the next flush before new ones are dropped and counted (clients see the gap
    /// in the sequence). Default 100,000; 1 to 10,000,000.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxBufferedUpdates { get; set; } = 100_000;

    /// <summary>
    /// Messages a gateway's queue holds before the broker drops the oldest, so a stalled gateway cannot
    /// grow the broker's memory. Default 100,000; 1 to 10,000,000.
    /// </summary>
    [Range(1, 10_000_000)]
    public int SubscriptionQueueMaxLength { get; set; } = 100_000;
}
