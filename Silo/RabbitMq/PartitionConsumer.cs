using System.Threading.Channels;
using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Silo.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// Consumes one tick partition on its own channel (delivery tags and acks stay per partition). The
/// broker's single-active-consumer picks one consumer per queue; the first delivery tells this one it
/// is active. Deliveries arrive one at a time, in order, and are pipelined: a message's batches go to
/// the handler at once, without waiting for earlier messages to become durable, so up to
/// <see cref="RabbitMqOptions.PrefetchPerPartition"/> messages are in flight. What keeps that as safe
/// as one message at a time:
/// <list type="bullet">
/// <item>an instrument's batches are handed over in order, each once the one before it is taken, and at most
/// <see cref="RabbitMqOptions.BatchesInFlightPerInstrument"/> not yet durable; each carries the task of the one
/// before it, and the pair actor and the store refuse a batch whose predecessor failed, so nothing later of an
/// instrument becomes durable before an earlier batch that failed and is handed over again (the pair actor would
/// take the later one for new and the retried one for a duplicate);</item>
/// <item>messages are acknowledged strictly in delivery order, each only once all its batches are
/// handled, by one ack loop that acks up to the highest contiguous handled delivery (<c>multiple</c>);</item>
/// <item>a delivery tag is acknowledged only on the channel session it came with (tags restart when
/// the client recovers the channel).</item>
/// </list>
/// </summary>
internal sealed partial class PartitionConsumer(
    int partition,
    RabbitMqConnection connection,
    PipelinedTickHandler handler,
    IPartitionLifecycle lifecycle,
    RabbitMqStatistics statistics,
    ILogger logger,
    TimeProvider time,
    CancellationToken stopping)
{
    private readonly SemaphoreSlim dispatching = new(1, 1);
    private readonly CancellationTokenSource released = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    private readonly string queue = connection.Names.TickQueue(partition);

    // Bounded by the prefetch, which is also what the broker lets be unacknowledged at a time.
    private readonly Channel<InFlightMessage> inFlight = Channel.CreateBounded<InFlightMessage>(
        new BoundedChannelOptions(connection.Options.PrefetchPerPartition) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    private readonly Lock gate = new();
    private Task acking = Task.CompletedTask;
    private Task? releasing;
    private IChannel? channel;
    private int active;
    private long generation;
    private int unacknowledged;

    public int Partition => partition;

    public bool IsActive => Volatile.Read(ref active) == 1;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var open = await connection.GetAsync(cancellationToken);

        // Dispatch concurrency 1: deliveries of this partition are taken one at a time, in order.
        channel = await open.CreateChannelAsync(new CreateChannelOptions(false, false, null, consumerDispatchConcurrency: 1), cancellationToken);
        await channel.BasicQosAsync(0, connection.Options.PrefetchPerPartition, global: false, cancellationToken);
        channel.ChannelShutdownAsync += OnChannelShutdownAsync;
        acking = AckLoopAsync();
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += OnReceivedAsync;
        await channel.BasicConsumeAsync(queue, autoAck: false, consumerTag: string.Empty, noLocal: false, exclusive: false, arguments: null, consumer, cancellationToken);
    }

    /// <summary>
    /// The graceful hand-over: take no more deliveries, wait for every message in flight, acknowledge
    /// those handled (in order, up to the first one given up), then close the channel so the broker
    /// requeues the rest, in order, for the next consumer in line. Cancelling the consumer instead
    /// crashed classic SAC queues on 3.10.8. Idempotent.
    /// </summary>
    public Task ReleaseAsync()
    {
        lock (gate)
        {
            return releasing ??= ReleaseCoreAsync();
        }
    }

    private async Task ReleaseCoreAsync()
    {
        await released.CancelAsync();

        // The delivery being taken finishes handing its batches over; those queued on the dispatcher
        // after it see the release and return unacknowledged.
        await dispatching.WaitAsync();
        inFlight.Writer.TryComplete();
        dispatching.Release();
        await acking;
        if (channel is { } open)
        {
            channel = null;
            try
            {
                await open.CloseAsync();
            }
            catch (Exception e)
            {
                RabbitMqLog.PartitionCloseFailed(logger, partition, e.Message);
            }

            await open.DisposeAsync();
        }

        await LoseAsync("released");
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        if (released.IsCancellationRequested)
        {
            return;
        }

        await dispatching.WaitAsync(CancellationToken.None);
        try
        {
            if (released.IsCancellationRequested)
            {
                return;
            }

            var session = Volatile.Read(ref generation);
            var depth = Interlocked.Increment(ref unacknowledged);
            if (PipelineMetrics.InFlight.Enabled)
            {
                PipelineMetrics.InFlight.Record(depth);
            }

            IReadOnlyList<TickBatch> batches;
            try
            {
                batches = TickCodec.Decode(delivery.Body.Span);
                PipelineMetrics.RecordDelivered(batches, time);
            }
            catch (FormatException e)
            {
                // REVIEW: acked (in its turn) and counted rather than dead-lettered; a malformed message can only come from a foreign publisher.
                Interlocked.Increment(ref statistics.MalformedMessages);
                RabbitMqLog.MalformedMessage(logger, queue, delivery.DeliveryTag, delivery.Body.Length, delivery.Redelivered, e.Message);
                await inFlight.Writer.WriteAsync(new InFlightMessage(delivery.DeliveryTag, session, Handled), CancellationToken.None);
                return;
            }

            if (Interlocked.Exchange(ref active, 1) == 0)
            {
                RabbitMqLog.PartitionAcquired(logger, partition);
                if (!await RetryAsync(() => lifecycle.OnAcquiredAsync(partition), "claiming the partition", session))
                {
                    return;
                }
            }

            if (batches.Count == 0)
            {
                // An ownership probe: its delivery has done its work above; it is acked in its turn.
                await inFlight.Writer.WriteAsync(new InFlightMessage(delivery.DeliveryTag, session, Handled, Probe: true), CancellationToken.None);
                return;
            }

            // Hand every batch over now (each instrument's after its previous one); the ack loop waits for them.
            var message = new MessageBatches(batches.Count);
            foreach (var batch in batches)
            {
                HandleInOrder(batch, session, message);
            }

            await inFlight.Writer.WriteAsync(new InFlightMessage(delivery.DeliveryTag, session, message.Done), CancellationToken.None);
        }
        finally
        {
            dispatching.Release();
        }
    }

    /// <summary>
    /// Acknowledges in delivery order: waits for the oldest message in flight, then acks it together with
    /// every later one already handled (one <c>multiple</c> ack). A message given up stops the acks of
    /// its session: nothing after it may be acknowledged before it, and it is redelivered with the rest.
    /// </summary>
    private async Task AckLoopAsync()
    {
        var reader = inFlight.Reader;
        var stalled = long.MinValue;
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            if (!reader.TryRead(out var head))
            {
                continue;
            }

            if (!await head.Done)
            {
                stalled = head.Session;
                continue;
            }

            if (head.Session == stalled)
            {
                continue;
            }

            var (last, count, probes) = (head.Tag, 1, head.Probe ? 1 : 0);
            while (reader.TryPeek(out var next) && next.Session == head.Session && next.Done is { IsCompletedSuccessfully: true, Result: true })
            {
                reader.TryRead(out _);
                (last, count, probes) = (next.Tag, count + 1, probes + (next.Probe ? 1 : 0));
            }

            await AckAsync(last, count, probes, head.Session);
        }
    }

    private async Task AckAsync(ulong deliveryTag, int count, int probes, long session)
    {
        // Tags restart when the client recovers the channel: a tag of the lost session would ack another message.
        if (channel is not { } open || session != Volatile.Read(ref generation))
        {
            return;
        }

        try
        {
            // Counted down first: the broker may deliver the next messages as soon as it has the ack.
            Interlocked.Add(ref unacknowledged, -count);
            await open.BasicAckAsync(deliveryTag, multiple: count > 1);
            Interlocked.Add(ref statistics.TickMessagesConsumed, count - probes);
            Interlocked.Add(ref statistics.ProbesConsumed, probes);
        }
        catch (Exception e)
        {
            RabbitMqLog.AckFailed(logger, partition, deliveryTag, e.Message);
        }
    }

    private async Task OnChannelShutdownAsync(object sender, ShutdownEventArgs e)
    {
        Interlocked.Increment(ref generation);

        // The broker requeues whatever the lost session had not acknowledged.
        Interlocked.Exchange(ref unacknowledged, 0);
        if (e.Initiator != ShutdownInitiator.Application)
        {
            // The client recovers the channel and consumer, at the back of the single-active-consumer line.
            await LoseAsync($"channel lost: {e.ReplyCode} {e.ReplyText}");
        }
    }

    private async Task LoseAsync(string why)
    {
        if (Interlocked.Exchange(ref active, 0) == 1)
        {
            RabbitMqLog.PartitionReleased(logger, partition, why);
            try
            {
                await lifecycle.OnReleasedAsync(partition);
            }
            catch (Exception e)
            {
                RabbitMqLog.PartitionWorkFailed(logger, e, partition, "reporting the release", TimeSpan.Zero);
            }
        }
    }
}
