using System.Text;
using PriceActors.Grains;
using PriceActors.Runtime;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace PriceActors.Silo.RabbitMq.Requests;

/// <summary>
/// The serving of one owned partition's request queue: its own channel, whose dispatcher hands up to
/// <see cref="RabbitMqRequestOptions.ConcurrencyPerPartition"/> requests to their actors at a time
/// (queries of one pair need no order). Replies and acks share the channel, one at a time.
/// </summary>
internal sealed class ServedPartition(PartitionRequestServer server, int partition)
{
    /// <summary>The header naming the target actor, <c>{type}/{key}</c>.</summary>
    public const string ActorHeader = "actor";

    private static readonly string PairType = ActorTypeAttribute.NameOf(typeof(IPairActor));
    private readonly CancellationTokenSource stopping = new();
    private readonly SemaphoreSlim sending = new(1, 1);
    private readonly TaskCompletionSource drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string queue = server.Connection.Names.RequestQueue(partition);
    private Task starting = Task.CompletedTask;
    private IChannel? channel;
    private string? consumerTag;
    private int inFlight;

    public void Start() => starting = Task.Run(StartAsync);

    public async Task StopAsync()
    {
        await stopping.CancelAsync();
        await starting;
        if (channel is { } open)
        {
            try
            {
                if (consumerTag is not null && open.IsOpen)
                {
                    await open.BasicCancelAsync(consumerTag);
                }
            }
            catch (Exception e)
            {
                RequestLog.ReplyFailed(server.Logger, partition, "cancelling the consumer: " + e.Message);
            }

            if (Volatile.Read(ref inFlight) == 0)
            {
                drained.TrySetResult();
            }

            try
            {
                await drained.Task.WaitAsync(server.Options.RequestTimeout, server.Time);
            }
            catch (TimeoutException)
            {
                // The actors' own request timeout ends the stragglers; their replies find the channel closed.
            }

            await CloseAsync(open);
            RequestLog.StoppedServing(server.Logger, partition);
        }
    }

    private static async Task CloseAsync(IChannel open)
    {
        try
        {
            // Closing requeues what was delivered and not acknowledged, in order, for the next owner.
            await open.CloseAsync();
        }
        catch (Exception)
        {
            // Already closed with its connection: the broker requeued the rest.
        }

        await open.DisposeAsync();
    }

    private async Task StartAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            IChannel? open = null;
            try
            {
                var connection = await server.Connection.GetAsync(stopping.Token);
                var concurrency = server.Options.ConcurrencyPerPartition;
                open = await connection.CreateChannelAsync(new CreateChannelOptions(false, false, null, concurrency), stopping.Token);
                await open.BasicQosAsync(0, concurrency, false, stopping.Token);
                await RequestTopology.DeclareAsync(open, server.Connection.Names, partition, stopping.Token);
                var consumer = new AsyncEventingBasicConsumer(open);
                consumer.ReceivedAsync += OnReceivedAsync;
                channel = open;
                consumerTag = await open.BasicConsumeAsync(queue, autoAck: false, consumer, stopping.Token);
                RequestLog.Serving(server.Logger, partition, queue);
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                RequestLog.ServeFailed(server.Logger, partition, e.Message);
                channel = null;
                if (open is not null)
                {
                    await CloseAsync(open);
                }
            }

            try
            {
                await Task.Delay(server.Connection.Options.NetworkRecoveryInterval, server.Time, stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        Interlocked.Increment(ref inFlight);
        try
        {
            if (stopping.IsCancellationRequested || !server.Serves(partition, this))
            {
                // Hand-over race: the partition's new owner answers it, with the pair activated there.
                Interlocked.Increment(ref server.Statistics.Requeued);
                await SendAsync(delivery, null, ch => ch.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true));
                return;
            }

            var reply = await AnswerAsync(delivery);
            await SendAsync(delivery, reply, ch => ch.BasicAckAsync(delivery.DeliveryTag, multiple: false));
        }
        finally
        {
            if (Interlocked.Decrement(ref inFlight) == 0 && stopping.IsCancellationRequested)
            {
                drained.TrySetResult();
            }
        }
    }

    private async Task<(string Type, byte[] Body)> AnswerAsync(BasicDeliverEventArgs delivery)
    {
        var type = delivery.BasicProperties.Type;
        ActorId target;
        RequestContract contract;
        object request;
        try
        {
            target = TargetOf(delivery.BasicProperties);
            (contract, request) = RequestCodec.DecodeRequest(type, delivery.Body.Span);
        }
        catch (FormatException e)
        {
            Interlocked.Increment(ref server.Statistics.Malformed);
            RequestLog.MalformedRequest(server.Logger, queue, delivery.DeliveryTag, delivery.Body.Length, type, e.Message);
            return RequestCodec.EncodeError("malformed request: " + e.Message);
        }

        string reason;
        if (target.Type != PairType)
        {
            reason = $"actor type '{target.Type}' is not served over the bus";
        }
        else if (!server.IsInPartition(target.Key, partition, out var error))
        {
            reason = error!;
        }
        else
        {
            try
            {
                var value = await contract.AskAsync(server.Actors, target, request, CancellationToken.None);
                Interlocked.Increment(ref server.Statistics.Served);
                return RequestCodec.EncodeReply(contract, value);
            }
            catch (Exception e)
            {
                reason = e.Message;
            }
        }

        Interlocked.Increment(ref server.Statistics.ErrorReplies);
        RequestLog.RequestFailed(server.Logger, contract.Name, target.ToString(), reason);
        return RequestCodec.EncodeError(reason);
    }

    private static ActorId TargetOf(IReadOnlyBasicProperties properties)
    {
        object? header = null;
        properties.Headers?.TryGetValue(ActorHeader, out header);
        var text = header switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            string value => value,
            _ => null,
        };
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        return slash > 0 && slash < text!.Length - 1
            ? new ActorId(text[..slash], text[(slash + 1)..])
            : throw new FormatException($"the '{ActorHeader}' header '{text}' is not 'type/key'");
    }

    private async Task SendAsync(BasicDeliverEventArgs delivery, (string Type, byte[] Body)? reply, Func<IChannel, ValueTask> settle)
    {
        if (channel is not { } open)
        {
            return;
        }

        await sending.WaitAsync();
        try
        {
            var replyTo = delivery.BasicProperties.ReplyTo;
            if (reply is var (type, body) && !string.IsNullOrEmpty(replyTo))
            {
                var properties = new BasicProperties { CorrelationId = delivery.BasicProperties.CorrelationId, Type = type };
                await open.BasicPublishAsync(string.Empty, replyTo, mandatory: false, properties, body);
            }

            await settle(open);
        }
        catch (Exception e)
        {
            // The channel closed under us: the broker requeues the request for the next owner.
            RequestLog.ReplyFailed(server.Logger, partition, e.Message);
        }
        finally
        {
            sending.Release();
        }
    }
}
