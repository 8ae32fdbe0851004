using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Streams;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// The cluster's tick stream: one durable quorum queue per partition with single active consumer
/// (<c>{prefix}.ticks.{p}</c>). Publishing packs many ticks per message with publisher confirms;
/// every process consumes every partition and the broker makes one consumer of each active, failing
/// over on its own when that process dies. Messages are acknowledged only after the handler completed
/// for all their ticks, so delivery is at least once: handlers must recognise redelivered ticks.
/// </summary>
public sealed class RabbitMqTickStream : ITickStream, IAsyncDisposable
{
    private int disposed;

    private readonly RabbitMqConnection connection;
    private readonly IPartitionLifecycle lifecycle;
    private readonly RabbitMqStatistics statistics;
    private readonly ILogger<RabbitMqTickStream> logger;
    private readonly TimeProvider time;
    private readonly TickPublisher publisher;
    private readonly Lock gate = new();
    private readonly TaskCompletionSource subscribed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private PartitionConsumer?[] consumers = [];
    private PipelinedTickHandler? handler;
    private CancellationToken consuming;

    /// <summary>Creates the stream; nothing touches the broker until the first publish or consume.</summary>
    /// <param name="connection">The process's broker connection.</param>
    /// <param name="streamOptions">Partition count (every process must agree).</param>
    /// <param name="lifecycle">Learns when partitions are acquired and released.</param>
    /// <param name="statistics">Counters.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="time">Clock of delays and retries.</param>
    public RabbitMqTickStream(
        RabbitMqConnection connection,
        IOptions<StreamOptions> streamOptions,
        IPartitionLifecycle lifecycle,
        RabbitMqStatistics statistics,
        ILogger<RabbitMqTickStream> logger,
        TimeProvider time)
    {
        this.connection = connection;
        this.lifecycle = lifecycle;
        this.statistics = statistics;
        this.logger = logger;
        this.time = time;
        PartitionCount = streamOptions.Value.PartitionCount;
        statistics.Partitions = PartitionCount;
        publisher = new TickPublisher(connection, PartitionCount, statistics, logger, time);
    }

    /// <inheritdoc/>
    public int PartitionCount { get; }

    /// <summary>
    /// Completes once <see cref="ConsumeAsync"/> has subscribed to every partition (this process is then
    /// in every partition's line of consumers, active or waiting); the signal a silo is ready.
    /// </summary>
    public Task Subscribed => subscribed.Task;

    /// <summary>Partitions this process is the active consumer of now.</summary>
    public IReadOnlyList<int> ActivePartitions => [.. Volatile.Read(ref consumers).OfType<PartitionConsumer>().Where(c => c.IsActive).Select(c => c.Partition)];

    /// <summary>
    /// Publishes one batch. Completes once the broker confirmed every message carrying its ticks (they are
    /// durable in the partition's quorum queue); waits while the broker is down or too many ticks are unconfirmed.
    /// </summary>
    /// <param name="batch">Trades of one instrument.</param>
    /// <param name="cancellationToken">Stops waiting; ticks already buffered are still published.</param>
    public ValueTask PublishAsync(TickBatch batch, CancellationToken cancellationToken) => publisher.PublishAsync(batch, cancellationToken);

    /// <inheritdoc/>
    public Task ConsumeAsync(Func<TickBatch, CancellationToken, ValueTask> handler, CancellationToken cancellationToken) =>
        ConsumePipelinedAsync(
            async (batch, _, token) =>
            {
                await handler(batch, token);
                return Task.CompletedTask;
            },
            cancellationToken);

    /// <inheritdoc/>
    /// <remarks>
    /// Each partition pipelines its instruments' batches (<see cref="RabbitMqOptions.PrefetchPerPartition"/>
    /// messages in flight) and acks a message once every batch of it is handled, in delivery order.
    /// </remarks>
    public async Task ConsumePipelinedAsync(PipelinedTickHandler handler, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (this.handler is not null)
            {
                throw new InvalidOperationException("This tick stream is already consuming.");
            }

            this.handler = handler;
            consuming = cancellationToken;
            consumers = new PartitionConsumer?[PartitionCount];
        }

        try
        {
            var open = await connection.GetAsync(cancellationToken);
            await using (var channel = await open.CreateChannelAsync(cancellationToken: cancellationToken))
            {
                await TickTopology.DeclareAsync(channel, connection.Names, PartitionCount, cancellationToken);
            }

            for (var p = 0; p < PartitionCount; p++)
            {
                await ResumePartitionAsync(p);
            }

            subscribed.TrySetResult();

            await Task.Delay(Timeout.InfiniteTimeSpan, time, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: hand every partition over below.
        }
        finally
        {
            await ReleaseAllAsync();
            lock (gate)
            {
                this.handler = null;
            }
        }
    }

    /// <summary>
    /// Hands a partition over gracefully: stops taking its messages, waits for the batch in flight, acks
    /// it, then closes the partition's channel so the broker gives the rest, in order, to the next consumer.
    /// </summary>
    /// <param name="partition">The partition.</param>
    public Task ReleasePartitionAsync(int partition)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(partition);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(partition, PartitionCount);
        var consumer = Interlocked.Exchange(ref Volatile.Read(ref consumers)[partition], null);
        return consumer?.ReleaseAsync() ?? Task.CompletedTask;
    }

    /// <summary>Subscribes to a released partition again, at the back of its line of consumers.</summary>
    /// <param name="partition">The partition.</param>
    public async Task ResumePartitionAsync(int partition)
    {
        PipelinedTickHandler current;
        lock (gate)
        {
            current = handler ?? throw new InvalidOperationException("The tick stream is not consuming.");
            if (consumers[partition] is not null)
            {
                return;
            }
        }

        var consumer = new PartitionConsumer(partition, connection, current, lifecycle, statistics, logger, time, consuming);
        await consumer.StartAsync(consuming);
        if (Interlocked.CompareExchange(ref consumers[partition], consumer, null) is not null)
        {
            await consumer.ReleaseAsync();
        }
    }

    /// <summary>Releases every partition gracefully, then stops the publisher (unconfirmed publishes fail).</summary>
    public async ValueTask DisposeAsync()
    {
        // DI disposes it under each service type it is registered as.
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await ReleaseAllAsync();
        await publisher.DisposeAsync();
    }

    private Task ReleaseAllAsync() => Task.WhenAll(Enumerable.Range(0, Volatile.Read(ref consumers).Length).Select(ReleasePartitionAsync));
}
