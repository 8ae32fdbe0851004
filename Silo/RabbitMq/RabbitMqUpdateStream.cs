using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Silo.Diagnostics;
using RabbitMQ.Client;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// The cluster's update stream: a direct exchange (<see cref="RabbitMqNames.UpdateExchange"/>), routing key = the
/// instrument's canonical key. Publishing buffers; every <see cref="RabbitMqOptions.UpdateFlushInterval"/> the flush's
/// updates go out, each instrument's in order, up to <see cref="RabbitMqOptions.UpdateInstrumentsPerMessage"/>
/// instruments per message, routed by all their keys (one broker delivers only ~40k messages/s to a
/// gateway queue, so updates travel batched). Each subscription (one per gateway) has
/// its own exclusive queue bound to exactly the instruments it added. Updates are transient: while the
/// broker is down they are dropped and counted, and clients see the gap in the sequence.
/// </summary>
public sealed class RabbitMqUpdateStream : IUpdateStream, IAsyncDisposable
{
    private int disposed;

    private readonly RabbitMqConnection connection;
    private readonly RabbitMqStatistics statistics;
    private readonly ILogger<RabbitMqUpdateStream> logger;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private readonly CancellationTokenSource stopping = new();
    private readonly Task flusher;
    private Dictionary<(string Exchange, string Symbol), List<object>> pending = [];
    private int pendingCount;
    private IChannel? channel;

    /// <summary>Creates the stream and starts its flusher; nothing touches the broker until there is something to send.</summary>
    /// <param name="connection">The process's broker connection.</param>
    /// <param name="statistics">Counters.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="time">Clock of the flushes.</param>
    public RabbitMqUpdateStream(RabbitMqConnection connection, RabbitMqStatistics statistics, ILogger<RabbitMqUpdateStream> logger, TimeProvider time)
    {
        this.connection = connection;
        this.statistics = statistics;
        this.logger = logger;
        this.time = time;
        flusher = Task.Run(() => FlushLoopAsync(stopping.Token));
    }

    internal RabbitMqConnection Connection => connection;

    internal RabbitMqStatistics Statistics => statistics;

    internal ILogger Logger => logger;

    internal TimeProvider Time => time;

    /// <inheritdoc/>
    public ValueTask PublishAsync(PriceUpdated update) => Buffer(update.Exchange, update.Symbol, update);

    /// <inheritdoc/>
    public ValueTask PublishAsync(MinuteBarClosed closed) => Buffer(closed.Bar.Exchange, closed.Bar.Symbol, closed);

    /// <inheritdoc/>
    public IUpdateSubscription Subscribe(IUpdateObserver observer) => new RabbitMqUpdateSubscription(this, observer);

    /// <summary>Flushes what is buffered, then stops. Idempotent: DI disposes it under each service type it is registered as.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await stopping.CancelAsync();
        await flusher;
        await FlushAsync(CancellationToken.None);
        if (channel is not null)
        {
            await channel.DisposeAsync();
        }

        stopping.Dispose();
    }

    private ValueTask Buffer(string exchange, string symbol, object update)
    {
        Interlocked.Increment(ref statistics.UpdatesPublished);
        lock (gate)
        {
            if (pendingCount >= connection.Options.MaxBufferedUpdates)
            {
                Interlocked.Increment(ref statistics.UpdatesDropped);
                return ValueTask.CompletedTask;
            }

            if (!pending.TryGetValue((exchange, symbol), out var list))
            {
                pending[(exchange, symbol)] = list = [];
            }

            list.Add(update);
            pendingCount++;
        }

        return ValueTask.CompletedTask;
    }

    private async Task FlushLoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(connection.Options.UpdateFlushInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed: the last flush follows.
        }
        catch (Exception e)
        {
            RabbitMqLog.UpdateFlusherCrashed(logger, e);
            throw;
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        Dictionary<(string Exchange, string Symbol), List<object>> batch;
        lock (gate)
        {
            if (pendingCount == 0)
            {
                return;
            }

            (batch, pending, pendingCount) = (pending, [], 0);
        }

        var sections = Sections(batch).ToList();
        var sent = 0;
        try
        {
            var open = await OpenChannelAsync(cancellationToken);
            foreach (var message in sections.Chunk(connection.Options.UpdateInstrumentsPerMessage))
            {
                var properties = new BasicProperties();
                if (message.Length > 1)
                {
                    // Sender-selected distribution: routed by every key, delivered once per queue, BCC removed on delivery.
                    properties.Headers = new Dictionary<string, object?> { ["BCC"] = message.Skip(1).Select(s => (object?)RabbitMqNames.RoutingKey(s.Instrument)).ToList() };
                }

                var body = UpdateCodec.Encode(message, time.GetUtcNow());
                await open.BasicPublishAsync(connection.Names.UpdateExchange, RabbitMqNames.RoutingKey(message[0].Instrument), mandatory: false, properties, body, cancellationToken);
                Interlocked.Increment(ref statistics.UpdateMessagesPublished);
                sent += message.Length;
                RecordPublished(message);
            }
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // REVIEW: updates are transient; while the broker is down they are dropped (clients detect the gap by sequence).
            var dropped = sections.Skip(sent).Sum(s => s.Updates.Count);
            Interlocked.Add(ref statistics.UpdatesDropped, dropped);
            RabbitMqLog.UpdatesDropped(logger, dropped, e.Message);
        }
    }

    /// <summary>The flush's instruments; updates of an invalid key (none an actor makes) are dropped and counted.</summary>
    private IEnumerable<UpdateSection> Sections(Dictionary<(string Exchange, string Symbol), List<object>> batch)
    {
        foreach (var ((exchange, symbol), updates) in batch)
        {
            if (InstrumentKey.TryCreate(exchange, symbol, out var instrument, out var error))
            {
                yield return new UpdateSection(instrument, updates);
            }
            else
            {
                Interlocked.Add(ref statistics.UpdatesDropped, updates.Count);
                RabbitMqLog.UpdatesDropped(logger, updates.Count, error);
            }
        }
    }

    private void RecordPublished(UpdateSection[] message)
    {
        if (PipelineMetrics.UpdatePublishAge.Enabled)
        {
            var now = time.GetUtcNow();
            foreach (var update in message.SelectMany(s => s.Updates))
            {
                if (update is PriceUpdated price)
                {
                    PipelineMetrics.UpdatePublishAge.Record((now - price.Timestamp).TotalMilliseconds);
                }
            }
        }
    }

    private async Task<IChannel> OpenChannelAsync(CancellationToken cancellationToken)
    {
        if (channel is { IsOpen: true })
        {
            return channel;
        }

        var open = await connection.GetAsync(cancellationToken);
        if (channel is not null)
        {
            if (!open.IsOpen)
            {
                throw new InvalidOperationException("the connection is down; the client is recovering it");
            }

            await channel.DisposeAsync();
        }

        channel = await open.CreateChannelAsync(cancellationToken: cancellationToken);
        await UpdateTopology.DeclareAsync(channel, connection.Names, cancellationToken);
        return channel;
    }
}
