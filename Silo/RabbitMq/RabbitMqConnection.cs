using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// This process's one connection to the broker, opened on first use and retried until the broker
/// answers. Once open, the client's automatic recovery reconnects it and re-creates its channels,
/// consumers, queues and bindings after a broker restart; this class tracks whether it is up and why not.
/// </summary>
public sealed class RabbitMqConnection : IAsyncDisposable
{
    private readonly RabbitMqOptions options;
    private readonly ILogger<RabbitMqConnection> logger;
    private readonly TimeProvider time;
    private readonly SemaphoreSlim connecting = new(1, 1);
    private readonly CancellationTokenSource disposed = new();
    private IConnection? connection;
    private volatile string? downReason = "not connected yet";

    /// <summary>Creates the connection holder; nothing connects until <see cref="GetAsync"/>.</summary>
    /// <param name="options">Broker address and timings.</param>
    /// <param name="logger">Logs connects, losses and recoveries.</param>
    /// <param name="time">Clock of the retry delays.</param>
    public RabbitMqConnection(IOptions<RabbitMqOptions> options, ILogger<RabbitMqConnection> logger, TimeProvider time)
    {
        this.options = options.Value;
        this.logger = logger;
        this.time = time;
        Names = new RabbitMqNames(this.options.Prefix);
    }

    /// <summary>Queue and exchange names.</summary>
    public RabbitMqNames Names { get; }

    /// <summary>The settings.</summary>
    public RabbitMqOptions Options => options;

    /// <summary>Why the connection is not usable now, or null while it is open.</summary>
    public string? DownReason => connection is { IsOpen: true } ? null : downReason ?? "connection closed";

    /// <summary>The open connection; connects first, retrying every <see cref="RabbitMqOptions.NetworkRecoveryInterval"/> while the broker is unreachable.</summary>
    /// <param name="cancellationToken">Stops retrying.</param>
    public async Task<IConnection> GetAsync(CancellationToken cancellationToken)
    {
        if (connection is { } existing)
        {
            return existing;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, disposed.Token);
        await connecting.WaitAsync(linked.Token);
        try
        {
            while (connection is null)
            {
                try
                {
                    connection = await ConnectAsync(linked.Token);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    downReason = "cannot connect: " + e.Message;
                    RabbitMqLog.ConnectFailed(logger, options.Uri?.Host, e.Message);
                    await Task.Delay(options.NetworkRecoveryInterval, time, linked.Token);
                }
            }

            return connection;
        }
        finally
        {
            connecting.Release();
        }
    }

    /// <summary>Closes the connection (an application close: the client does not recover it).</summary>
    public async ValueTask DisposeAsync()
    {
        await disposed.CancelAsync();
        if (connection is { } open)
        {
            try
            {
                await open.CloseAsync(TimeSpan.FromSeconds(5));
            }
            catch (Exception e)
            {
                RabbitMqLog.CloseFailed(logger, e.Message);
            }

            await open.DisposeAsync();
        }

        disposed.Dispose();
    }

    private async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory
        {
            Uri = options.Uri ?? throw new InvalidOperationException("RabbitMq:Uri is not set."),
            RequestedHeartbeat = options.Heartbeat,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = options.NetworkRecoveryInterval,
            ClientProvidedName = $"priceactors {Environment.MachineName} {Environment.ProcessId}",
        };
        var opened = await factory.CreateConnectionAsync(cancellationToken);
        opened.ConnectionShutdownAsync += OnShutdownAsync;
        opened.RecoverySucceededAsync += OnRecoveredAsync;
        opened.ConnectionRecoveryErrorAsync += OnRecoveryErrorAsync;
        downReason = null;
        RabbitMqLog.Connected(logger, opened.Endpoint.ToString(), options.Prefix);
        return opened;
    }

    private Task OnShutdownAsync(object sender, ShutdownEventArgs e)
    {
        downReason = $"connection lost: {e.ReplyCode} {e.ReplyText}";
        if (e.Initiator != ShutdownInitiator.Application)
        {
            RabbitMqLog.ConnectionLost(logger, e.ReplyCode, e.ReplyText);
        }

        return Task.CompletedTask;
    }

    private Task OnRecoveredAsync(object sender, AsyncEventArgs e)
    {
        downReason = null;
        RabbitMqLog.ConnectionRecovered(logger);
        return Task.CompletedTask;
    }

    private Task OnRecoveryErrorAsync(object sender, ConnectionRecoveryErrorEventArgs e)
    {
        downReason = "reconnecting: " + e.Exception.Message;
        RabbitMqLog.RecoveryFailed(logger, e.Exception.Message);
        return Task.CompletedTask;
    }
}
