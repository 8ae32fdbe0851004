using PriceActors.Grains;

namespace PriceActors.Gateway.Streaming;

/// <summary>
/// One streaming connection (SignalR, WebSocket, SSE) as the <see cref="PriceBroadcaster"/> sees it: the broadcaster
/// offers messages to its bounded <see cref="OutboundQueue"/> and never waits for it; the connection's own writer loop
/// sends them. A write that does not complete within <see cref="StreamingOptions.SlowClientTimeout"/> disconnects the
/// client as stuck, so a slow client delays nobody else and holds a bounded amount of memory.
/// </summary>
public abstract partial class StreamSubscriber : IAsyncDisposable
{
    private const int MaxBatch = 256;

    private readonly CancellationTokenSource stop = new();
    private readonly StreamingOptions options;
    private readonly ILogger logger;
    private Task writer = Task.CompletedTask;
    private CancellationTokenSource? deadline;
    private int disconnected;
    private int disposed;

    /// <summary>Creates the connection's queue; <see cref="Start"/> starts its writer.</summary>
    /// <param name="transport">The transport's name for logs and metrics: <c>signalr</c>, <c>websocket</c>, <c>sse</c>.</param>
    /// <param name="options">Queue size and stall timeout.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where disconnects are logged.</param>
    protected StreamSubscriber(string transport, StreamingOptions options, TimeProvider time, ILogger logger)
    {
        Transport = transport;
        this.options = options;
        this.logger = logger;
        Queue = new OutboundQueue(options.QueueCapacity, time);
    }

    /// <summary>The transport's name.</summary>
    public string Transport { get; }

    /// <summary>Why the gateway disconnected the client, when it did.</summary>
    public string? DisconnectReason { get; private set; }

    /// <summary>Signalled when the writer stops: the client went away or was disconnected.</summary>
    public CancellationToken Stopped => stop.Token;

    /// <summary>The connection's outbound messages.</summary>
    internal OutboundQueue Queue { get; }

    /// <summary>Instruments subscribed, kept by the broadcaster's loop.</summary>
    internal HashSet<InstrumentKey> Instruments { get; } = [];

    /// <summary>The candle interval wanted per instrument, kept by the broadcaster's loop.</summary>
    internal Dictionary<InstrumentKey, TimeSpan> CandleIntervals { get; } = [];

    /// <summary>Starts the writer loop.</summary>
    public void Start()
    {
        GatewayMetrics.Opened(Transport);
        writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>Queues a marker and waits until everything queued before it is written.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var marker = new MarkerOut();
        if (!Queue.Enqueue(marker))
        {
            Disconnect("its outbound queue is full");
            return;
        }

        await marker.Written.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Disconnects the client with a reason (once); the writer stops.</summary>
    /// <param name="reason">Why, in words the client may see.</param>
    public void Disconnect(string reason)
    {
        if (Interlocked.Exchange(ref disconnected, 1) != 0)
        {
            return;
        }

        DisconnectReason = reason;
        LogDisconnected(Transport, reason);
        GatewayMetrics.CountDisconnected(Transport);
        Queue.Close();
        try
        {
            Close(reason);
        }
        finally
        {
            stop.Cancel();
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        Queue.Close();
        await stop.CancelAsync();
        try
        {
            await writer;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        stop.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Sends a batch of messages in order, calling <see cref="Progressed"/> after each write that went out.</summary>
    /// <param name="batch">The messages; markers are the base class's and may be skipped.</param>
    /// <param name="cancellationToken">
    /// Cancelled when the connection ends, or when no write has completed for <see cref="StreamingOptions.SlowClientTimeout"/>.
    /// </param>
    protected abstract ValueTask WriteAsync(IReadOnlyList<Outbound> batch, CancellationToken cancellationToken);

    /// <summary>A write completed: the client is reading, so the stall timeout starts over.</summary>
    protected void Progressed() => deadline?.CancelAfter(options.SlowClientTimeout);

    /// <summary>Ends the connection the transport's way (a close frame with a reason, aborting the request).</summary>
    /// <param name="reason">Why.</param>
    protected abstract void Close(string reason);

    private async Task WriteLoopAsync()
    {
        var batch = new List<Outbound>(MaxBatch);
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Queue.WaitAsync(stop.Token);
                batch.Clear();
                Queue.Take(batch, MaxBatch);
                if (batch.Count == 0)
                {
                    continue;
                }

                using var stall = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                deadline = stall;
                stall.CancelAfter(options.SlowClientTimeout);
                try
                {
                    await WriteAsync(batch, stall.Token);
                }
                catch (OperationCanceledException) when (stall.IsCancellationRequested && !stop.IsCancellationRequested)
                {
                    Disconnect($"slow consumer: no write completed for {options.SlowClientTimeout.TotalSeconds:0.#} s");
                    return;
                }
                finally
                {
                    deadline = null;
                }

                var delivered = 0;
                foreach (var message in batch)
                {
                    if (message is MarkerOut marker)
                    {
                        marker.Written.TrySetResult();
                    }
                    else
                    {
                        delivered++;
                    }
                }

                GatewayMetrics.CountDelivered(delivered, Transport);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The connection ended.
        }
        catch (Exception error)
        {
            // The transport failed (the client went away mid-write): the connection's own handler ends it.
            LogWriteFailed(error, Transport);
        }
        finally
        {
            Queue.Close();
            foreach (var message in batch)
            {
                (message as MarkerOut)?.Written.TrySetCanceled();
            }

            GatewayMetrics.Closed(Transport);
            await stop.CancelAsync();
        }
    }

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "Disconnected a {Transport} subscriber: {Reason}")]
    private partial void LogDisconnected(string transport, string reason);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Debug, Message = "Writing to a {Transport} subscriber failed")]
    private partial void LogWriteFailed(Exception error, string transport);
}
