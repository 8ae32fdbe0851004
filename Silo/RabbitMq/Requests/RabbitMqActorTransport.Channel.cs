using System.Collections.Concurrent;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace PriceActors.Silo.RabbitMq.Requests;

/// <summary>The transport's reply channel: opening it, losing it, and the replies that arrive on it.</summary>
public sealed partial class RabbitMqActorTransport
{
    /// <summary>Opens the channel as soon as the broker lets it, so readiness recovers without waiting for a request.</summary>
    private async Task ReopenAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await OpenAsync(stopping.Token);
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                RequestLog.ReopenFailed(logger, e.Message);
            }

            try
            {
                await Task.Delay(connection.Options.NetworkRecoveryInterval, time, stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<IChannel> OpenAsync(CancellationToken cancellationToken)
    {
        if (channel is { IsOpen: true } current)
        {
            return current;
        }

        await opening.WaitAsync(cancellationToken);
        try
        {
            if (channel is { IsOpen: true } raced)
            {
                return raced;
            }

            var open = await connection.GetAsync(cancellationToken);
            if (!open.IsOpen)
            {
                throw new InvalidOperationException("RabbitMQ unavailable: " + connection.DownReason);
            }

            if (Interlocked.Exchange(ref channel, null) is { } closed)
            {
                abandoned.Enqueue(closed);
            }

            while (abandoned.TryDequeue(out var lost))
            {
                await lost.DisposeAsync();
            }

            var created = await open.CreateChannelAsync(new CreateChannelOptions(false, false, null, consumerDispatchConcurrency: 1), cancellationToken);
            created.ChannelShutdownAsync += (_, e) => OnChannelShutdownAsync(created, e);
            var consumer = new AsyncEventingBasicConsumer(created);
            consumer.ReceivedAsync += OnReplyAsync;

            try
            {
                // Direct reply-to: consume the pseudo-queue with auto-ack before the first publish, or the broker closes the channel.
                await created.BasicConsumeAsync(ReplyQueue, autoAck: true, consumer, cancellationToken);
                for (var p = 0; p < partitionCount; p++)
                {
                    await RequestTopology.DeclareAsync(created, connection.Names, p, cancellationToken);
                }
            }
            catch
            {
                await created.DisposeAsync();
                throw;
            }

            channel = created;
            RequestLog.TransportReady(logger, ReplyQueue, partitionCount);
            return created;
        }
        finally
        {
            opening.Release();
        }
    }

    private Task OnReplyAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var properties = delivery.BasicProperties;
        if (properties.CorrelationId is not { } id || !pending.TryGetValue(id, out var waiting))
        {
            return Task.CompletedTask; // Its caller gave up (timeout) already.
        }

        Interlocked.Increment(ref statistics.Answered);
        try
        {
            waiting.TrySetResult(RequestCodec.DecodeReply(properties.Type, delivery.Body.Span));
        }
        catch (FormatException e)
        {
            Interlocked.Increment(ref statistics.Malformed);
            RequestLog.MalformedReply(logger, id, properties.Type, e.Message);
            waiting.TrySetResult(new RequestReply(null, "malformed reply: " + e.Message));
        }

        return Task.CompletedTask;
    }

    // After a forced connection close (rabbitmqctl close_connection, 3 tries by hand) the first channel opened
    // after the client's recovery was once closed by the broker with 406 "fast reply consumer does not exist" on
    // its first publish, and the next channel worked: the request it carried goes out again on that one.
    private Task OnChannelShutdownAsync(IChannel closed, ShutdownEventArgs e)
    {
        // Only the current channel's loss fails the pending requests; it is disposed by the next open, not in its own event.
        if (e.Initiator != ShutdownInitiator.Application && Interlocked.CompareExchange(ref channel, null, closed) == closed)
        {
            abandoned.Enqueue(closed);
            // Direct replies are tied to the channel that sent the request: none of these can arrive any more.
            var failed = FailPending($"RabbitMQ channel lost: {e.ReplyCode} {e.ReplyText}", lost: true);
            RequestLog.ReplyChannelLost(logger, e.ReplyCode, e.ReplyText, failed);
            if (!stopping.IsCancellationRequested)
            {
                _ = Task.Run(ReopenAsync, CancellationToken.None);
            }
        }

        return Task.CompletedTask;
    }

    // Ends what is pending with the reason; lost: the callers may send their requests again (they count a failure only if they do not).
    private int FailPending(string reason, bool lost = false)
    {
        var failed = 0;
        foreach (var (id, waiting) in pending)
        {
            if (pending.TryRemove(id, out _) && waiting.TrySetResult(new RequestReply(null, reason, lost)))
            {
                failed++;
                if (!lost)
                {
                    Interlocked.Increment(ref statistics.Failed);
                }
            }
        }

        return failed;
    }
}
