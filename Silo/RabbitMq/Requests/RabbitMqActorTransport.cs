using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Runtime;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace PriceActors.Silo.RabbitMq.Requests;

/// <summary>
/// The gateway's <see cref="IActorTransport"/> in cluster mode: a request goes to the request queue of
/// its actor's partition, where that partition's owner answers it (<see cref="PartitionRequestServer"/>),
/// and the reply comes back by direct reply-to on this transport's one channel. Each request lives in
/// the queue no longer than <see cref="RabbitMqRequestOptions.RequestTimeout"/>, so one sent while its
/// partition has no owner expires instead of being answered after the caller gave up. When the channel
/// is lost, the replies of pending requests can no longer arrive: each is sent once more, on a new channel
/// within its timeout, and fails if that one is lost too or cannot be opened (every request the bus carries
/// is a query, so one answered twice does no harm). The lost channel is abandoned: the client's recovery would
/// reopen it before its reply consumer, and a request published in between closes it again (406).
/// </summary>
public sealed partial class RabbitMqActorTransport : IActorTransport, IHostedService, IAsyncDisposable
{
    private const string ReplyQueue = "amq.rabbitmq.reply-to";
    private readonly ConcurrentDictionary<string, TaskCompletionSource<RequestReply>> pending = new();
    private readonly SemaphoreSlim opening = new(1, 1);
    private readonly SemaphoreSlim publishing = new(1, 1);
    private readonly CancellationTokenSource stopping = new();
    private readonly RabbitMqConnection connection;
    private readonly RabbitMqRequestOptions options;
    private readonly int partitionCount;
    private readonly RequestStatistics statistics;
    private readonly TimeProvider time;
    private readonly ILogger<RabbitMqActorTransport> logger;
    private readonly string expiration;
    private readonly ConcurrentQueue<IChannel> abandoned = new();
    private IChannel? channel;
    private long nextId;
    private int disposed;

    /// <summary>Creates the transport; <see cref="StartAsync"/> connects in the background.</summary>
    /// <param name="connection">The process's broker connection.</param>
    /// <param name="options">Timeout and bounds.</param>
    /// <param name="streams">The partition count (the silos' own).</param>
    /// <param name="statistics">Counters.</param>
    /// <param name="time">Clock of the timeouts.</param>
    /// <param name="logger">Logger.</param>
    public RabbitMqActorTransport(
        RabbitMqConnection connection,
        IOptions<RabbitMqRequestOptions> options,
        IOptions<StreamOptions> streams,
        RequestStatistics statistics,
        TimeProvider time,
        ILogger<RabbitMqActorTransport> logger)
    {
        this.connection = connection;
        this.options = options.Value;
        partitionCount = streams.Value.PartitionCount;
        this.statistics = statistics;
        this.time = time;
        this.logger = logger;
        expiration = ((long)this.options.RequestTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Why requests cannot be sent now, or null while the reply channel is open.</summary>
    public string? DownReason => channel is { IsOpen: true } ? null : connection.DownReason ?? "reply channel not open";

    internal IChannel? ReplyChannel => channel;

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Opening in the background: the process serves /health (and says why it is not ready) while the broker is away.
        _ = Task.Run(ReopenAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => stopping.CancelAsync();

    /// <inheritdoc/>
    public async ValueTask SendAsync(ActorId target, object message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        using var timeout = new CancellationTokenSource(options.RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await PublishAsync(target, message, correlationId: null, linked.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new ActorRequestTimeoutException(target, message.GetType(), options.RequestTimeout);
        }
    }

    /// <inheritdoc/>
    public async Task<TResponse> RequestAsync<TResponse>(ActorId target, IRequest<TResponse> request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Interlocked.Increment(ref statistics.Pending) > options.MaxPendingRequests)
        {
            Interlocked.Decrement(ref statistics.Pending);
            Interlocked.Increment(ref statistics.Failed);
            throw new ActorUnavailableException(target, $"{options.MaxPendingRequests} requests are already waiting for replies");
        }

        using var timeout = new CancellationTokenSource(options.RequestTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            var (value, error, lost) = await SendOnceAsync(target, request, linked.Token);
            if (lost)
            {
                Interlocked.Increment(ref statistics.Resent);
                (value, error, lost) = await SendOnceAsync(target, request, linked.Token);
                if (lost)
                {
                    Interlocked.Increment(ref statistics.Failed);
                }
            }

            return error is not null ? throw new ActorUnavailableException(target, error)
                : value is TResponse typed ? typed
                : value is null ? default!
                : throw new ActorUnavailableException(target, $"the reply to {request.GetType().Name} is a {value.GetType().Name}");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Interlocked.Increment(ref statistics.TimedOut);
            throw new ActorRequestTimeoutException(target, request.GetType(), options.RequestTimeout);
        }
        finally
        {
            Interlocked.Decrement(ref statistics.Pending);
        }
    }

    // One publish of the request under a fresh correlation id, and its reply.
    private async Task<RequestReply> SendOnceAsync(ActorId target, object request, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref nextId).ToString(CultureInfo.InvariantCulture);
        var reply = new TaskCompletionSource<RequestReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = reply;
        try
        {
            await PublishAsync(target, request, id, cancellationToken);
            Interlocked.Increment(ref statistics.Sent);
            return await reply.Task.WaitAsync(cancellationToken);
        }
        finally
        {
            pending.TryRemove(id, out _);
        }
    }

    /// <summary>Fails what is pending and closes the channel. Idempotent: DI disposes it under each service type it is registered as.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await stopping.CancelAsync();
        FailPending("the gateway is stopping");
        if (channel is { } open)
        {
            channel = null;
            try
            {
                await open.CloseAsync();
            }
            catch (Exception)
            {
                // Closed with the connection already.
            }

            await open.DisposeAsync();
        }

        while (abandoned.TryDequeue(out var lost))
        {
            await lost.DisposeAsync();
        }
    }

    private async Task PublishAsync(ActorId target, object message, string? correlationId, CancellationToken cancellationToken)
    {
        if (!InstrumentKey.TryParse(target.Key, out var instrument, out var error))
        {
            throw new ActorUnavailableException(target, "only actors keyed by instrument are reachable over the bus: " + error);
        }

        var (type, body) = RequestCodec.EncodeRequest(message);
        var properties = new BasicProperties
        {
            Type = type,
            CorrelationId = correlationId,
            ReplyTo = correlationId is null ? null : ReplyQueue,
            Expiration = expiration,
            Headers = new Dictionary<string, object?> { [ServedPartition.ActorHeader] = Encoding.UTF8.GetBytes(target.ToString()) },
        };
        var queue = connection.Names.RequestQueue(PartitionMap.PartitionOf(instrument, partitionCount));
        try
        {
            var open = await OpenAsync(cancellationToken);
            await publishing.WaitAsync(cancellationToken);
            try
            {
                await open.BasicPublishAsync(string.Empty, queue, mandatory: false, properties, body, cancellationToken);
            }
            finally
            {
                publishing.Release();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Interlocked.Increment(ref statistics.Failed);
            throw new ActorUnavailableException(target, e.Message, e);
        }
    }
}
