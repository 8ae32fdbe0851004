using System.Collections.Concurrent;
using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Silo.Diagnostics;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// One gateway's subscription: an exclusive, auto-delete, non-durable queue bound to the instruments it
/// added, consumed on its own channel (one delivery at a time, so each instrument's updates stay in
/// order). The client's topology recovery re-declares the queue, its bindings and the consumer after a
/// broker restart. A message holds several instruments' updates, and messages routed before an unbind can
/// still arrive, so each instrument's part is delivered only while it is added.
/// </summary>
internal sealed class RabbitMqUpdateSubscription(RabbitMqUpdateStream stream, IUpdateObserver observer) : IUpdateSubscription
{
    private readonly ConcurrentDictionary<InstrumentKey, byte> added = new();
    private readonly SemaphoreSlim opening = new(1, 1);
    private readonly string queue = stream.Connection.Names.NewSubscriptionQueue();
    private IChannel? channel;

    public async ValueTask AddAsync(InstrumentKey instrument)
    {
        var open = await OpenAsync();
        if (added.TryAdd(instrument, 0))
        {
            Interlocked.Increment(ref stream.Statistics.SubscribedInstruments);
            await open.QueueBindAsync(queue, stream.Connection.Names.UpdateExchange, RabbitMqNames.RoutingKey(instrument));
        }
    }

    public async ValueTask RemoveAsync(InstrumentKey instrument)
    {
        if (added.TryRemove(instrument, out _))
        {
            Interlocked.Decrement(ref stream.Statistics.SubscribedInstruments);
            if (channel is { } open)
            {
                await open.QueueUnbindAsync(queue, stream.Connection.Names.UpdateExchange, RabbitMqNames.RoutingKey(instrument), null);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Interlocked.Add(ref stream.Statistics.SubscribedInstruments, -added.Count);
        added.Clear();
        if (channel is { } open)
        {
            channel = null;
            try
            {
                await open.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
                await open.CloseAsync();
            }
            catch (Exception e)
            {
                // The queue is exclusive and auto-delete: the broker removes it with the connection anyway.
                RabbitMqLog.CloseFailed(stream.Logger, e.Message);
            }

            await open.DisposeAsync();
        }
    }

    private async Task<IChannel> OpenAsync()
    {
        if (channel is { } existing)
        {
            return existing;
        }

        await opening.WaitAsync();
        try
        {
            if (channel is { } raced)
            {
                return raced;
            }

            var connection = await stream.Connection.GetAsync(CancellationToken.None);
            var open = await connection.CreateChannelAsync(new CreateChannelOptions(false, false, null, consumerDispatchConcurrency: 1));
            await UpdateTopology.DeclareAsync(open, stream.Connection.Names, CancellationToken.None);

            // Bounded: a stalled gateway loses its oldest updates instead of growing the broker's memory.
            var arguments = new Dictionary<string, object?>
            {
                ["x-max-length"] = stream.Connection.Options.SubscriptionQueueMaxLength,
                ["x-overflow"] = "drop-head",
            };
            await open.QueueDeclareAsync(queue, durable: false, exclusive: true, autoDelete: true, arguments);
            var consumer = new AsyncEventingBasicConsumer(open);
            consumer.ReceivedAsync += OnReceivedAsync;
            await open.BasicConsumeAsync(queue, autoAck: true, consumer);
            channel = open;
            return open;
        }
        finally
        {
            opening.Release();
        }
    }

    private Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        Interlocked.Increment(ref stream.Statistics.UpdateMessagesReceived);
        UpdateMessage message;
        try
        {
            message = UpdateCodec.Decode(delivery.Body.Span);
        }
        catch (FormatException e)
        {
            Interlocked.Increment(ref stream.Statistics.MalformedMessages);
            RabbitMqLog.MalformedMessage(stream.Logger, queue, delivery.DeliveryTag, delivery.Body.Length, delivery.Redelivered, e.Message);
            return Task.CompletedTask;
        }

        if (message.SentAt is { } sentAt && PipelineMetrics.UpdateTransit.Enabled)
        {
            PipelineMetrics.UpdateTransit.Record((stream.Time.GetUtcNow() - sentAt).TotalMilliseconds);
        }

        // A message carries several instruments' updates and reaches every queue bound to any of them.
        foreach (var (instrument, updates) in message.Sections)
        {
            if (added.ContainsKey(instrument))
            {
                Deliver(instrument, updates);
            }
        }

        return Task.CompletedTask;
    }

    private void Deliver(InstrumentKey instrument, IReadOnlyList<object> updates)
    {
        foreach (var update in updates)
        {
            try
            {
                if (update is PriceUpdated price)
                {
                    observer.OnPriceUpdated(price);
                }
                else
                {
                    observer.OnMinuteBarClosed((MinuteBarClosed)update);
                }
            }
            catch (Exception e)
            {
                RabbitMqLog.ObserverFailed(stream.Logger, e, instrument.Value);
            }
        }

        Interlocked.Add(ref stream.Statistics.UpdatesDelivered, updates.Count);
    }
}
