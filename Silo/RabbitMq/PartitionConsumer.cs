using PriceActors.Grains;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// Consumes one tick partition on its own channel (delivery tags and acks stay per partition, and the
/// channel's dispatcher runs one delivery at a time, which is the partition's order). The broker's
/// single-active-consumer picks one consumer per queue; the first delivery tells this one it is active.
/// </summary>
internal sealed class PartitionConsumer(
    int partition,
    RabbitMqConnection connection,
    Func<TickBatch, CancellationToken, ValueTask> handler,
    IPartitionLifecycle lifecycle,
    RabbitMqStatistics statistics,
    ILogger logger,
    TimeProvider time,
    CancellationToken stopping)
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly SemaphoreSlim inFlight = new(1, 1);
    private readonly CancellationTokenSource released = CancellationTokenSource.CreateLinkedTokenSource(stopping);
    private readonly string queue = connection.Names.TickQueue(partition);
    private IChannel? channel;
    private int active;
    private long generation;

    public int Partition => partition;

    public bool IsActive => Volatile.Read(ref active) == 1;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var open = await connection.GetAsync(cancellationToken);

        // Dispatch concurrency 1: deliveries of this partition are handled one at a time, in order.
        channel = await open.CreateChannelAsync(new CreateChannelOptions(false, false, null, consumerDispatchConcurrency: 1), cancellationToken);
        await channel.BasicQosAsync(0, connection.Options.PrefetchPerPartition, global: false, cancellationToken);
        channel.ChannelShutdownAsync += OnChannelShutdownAsync;
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += OnReceivedAsync;
        await channel.BasicConsumeAsync(queue, autoAck: false, consumerTag: string.Empty, noLocal: false, exclusive: false, arguments: null, consumer, cancellationToken);
    }

    /// <summary>
    /// The graceful hand-over: take no more deliveries, wait for the one in flight (acked when its handler
    /// completes), then close the channel so the broker requeues the prefetched rest, in order, for the
    /// next consumer in line. Cancelling the consumer instead crashed classic SAC queues on 3.10.8.
    /// </summary>
    public async Task ReleaseAsync()
    {
        if (released.IsCancellationRequested && channel is null)
        {
            return;
        }

        await released.CancelAsync();
        await inFlight.WaitAsync();

        // Let go at once: deliveries still queued on the dispatcher see the release and return unacked, and
        // closing the channel may wait for them.
        inFlight.Release();
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

        await inFlight.WaitAsync(CancellationToken.None);
        try
        {
            if (released.IsCancellationRequested)
            {
                return;
            }

            var session = Volatile.Read(ref generation);
            var body = delivery.Body.ToArray();
            IReadOnlyList<TickBatch> batches;
            try
            {
                batches = TickCodec.Decode(body);
            }
            catch (FormatException e)
            {
                // REVIEW: acked and counted rather than dead-lettered; a malformed message can only come from a foreign publisher.
                Interlocked.Increment(ref statistics.MalformedMessages);
                RabbitMqLog.MalformedMessage(logger, queue, delivery.DeliveryTag, body.Length, delivery.Redelivered, e.Message);
                await AckAsync(delivery.DeliveryTag, session);
                return;
            }

            if (Interlocked.Exchange(ref active, 1) == 0)
            {
                RabbitMqLog.PartitionAcquired(logger, partition);
                if (!await RetryAsync(() => lifecycle.OnAcquiredAsync(partition), "claiming the partition"))
                {
                    return;
                }
            }

            // Hand every run to the handler at once, in order: the pair actors' mailboxes keep each
            // instrument's order, and the runs of one message then share a group commit instead of
            // waiting for one each. Failed runs are retried in message order; a run queued behind a
            // failed one of the same pair fails too (the pair refuses batches after a store failure),
            // so no later run of an instrument can be made durable before an earlier one.
            var attempts = new Task[batches.Count];
            for (var i = 0; i < batches.Count; i++)
            {
                attempts[i] = InvokeAsync(batches[i]);
            }

            await Task.WhenAll(attempts).ContinueWith(static _ => { }, TaskScheduler.Default);
            for (var i = 0; i < batches.Count; i++)
            {
                var batch = batches[i];
                if (!attempts[i].IsCompletedSuccessfully && !await RetryAsync(() => handler(batch, stopping), "handling a batch"))
                {
                    return;
                }
            }

            // Only now, with every batch of the message handled (durable), may the broker forget it.
            await AckAsync(delivery.DeliveryTag, session);
            Interlocked.Increment(ref statistics.TickMessagesConsumed);
        }
        finally
        {
            inFlight.Release();
        }
    }

    private Task InvokeAsync(TickBatch batch)
    {
        try
        {
            return handler(batch, stopping).AsTask();
        }
        catch (Exception error)
        {
            return Task.FromException(error);
        }
    }

    /// <summary>Runs <paramref name="work"/> until it succeeds; false when the partition is released or the consumer stops first.</summary>
    private async Task<bool> RetryAsync(Func<ValueTask> work, string what)
    {
        var delay = FirstRetryDelay;
        while (true)
        {
            try
            {
                await work();
                return true;
            }
            catch (OperationCanceledException) when (released.IsCancellationRequested)
            {
                return false;
            }
            catch (Exception e)
            {
                RabbitMqLog.PartitionWorkFailed(logger, e, partition, what, delay);
                if (channel is not { IsOpen: true })
                {
                    // The delivery died with its channel: it cannot be acked and the broker hands it to the
                    // next owner. Returning also frees the dispatcher, which closing the connection waits for.
                    return false;
                }

                try
                {
                    await Task.Delay(delay, time, released.Token);
                }
                catch (OperationCanceledException)
                {
                    return false;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    private async Task AckAsync(ulong deliveryTag, long session)
    {
        // Tags restart when the client recovers the channel: a tag of the lost session would ack another message.
        if (channel is not { } open || session != Volatile.Read(ref generation))
        {
            return;
        }

        try
        {
            await open.BasicAckAsync(deliveryTag, multiple: false);
        }
        catch (Exception e)
        {
            RabbitMqLog.AckFailed(logger, partition, deliveryTag, e.Message);
        }
    }

    private async Task OnChannelShutdownAsync(object sender, ShutdownEventArgs e)
    {
        Interlocked.Increment(ref generation);
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
