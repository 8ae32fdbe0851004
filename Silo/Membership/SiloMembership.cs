using Microsoft.Extensions.Options;
using Npgsql;
using PriceActors.Silo.Postgres;

namespace PriceActors.Silo.Membership;

/// <summary>
/// Keeps this silo in the membership table: registers it (joining), heartbeats (active once
/// <see cref="Ready"/>), declares silent silos dead, and marks itself shutting down as soon as the host
/// begins to stop (before any service stops, so other silos stop counting it as a taker of partitions),
/// then dead once its partitions are handed over. A silo that finds itself declared dead
/// stops its host, as an Orleans silo does: the others have already taken its work over (and its
/// state writes are fenced anyway). Given the <paramref name="schema"/> migrator, it registers only once the
/// schema is applied.
/// </summary>
public sealed partial class SiloMembership(
    MembershipTable table,
    SiloIdentity silo,
    IOptions<MembershipOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<SiloMembership> logger,
    SchemaMigrator? schema = null) : BackgroundService, IHostedLifecycleService
{
    private readonly MembershipOptions settings = options.Value;
    private volatile string? lastError;
    private long lastHeartbeatTimestamp;

    /// <summary>The partitions this silo reports owning in its heartbeats.</summary>
    public Func<IReadOnlyCollection<int>> OwnedPartitions { get; set; } = static () => [];

    /// <summary>Whether this silo is ready to own partitions (subscribed to them); it stays joining until then.</summary>
    public Func<bool> Ready { get; set; } = static () => true;

    /// <summary>Why the last heartbeat failed, or null when it succeeded.</summary>
    public string? LastError => lastError;

    /// <summary>Time since the last successful heartbeat, or null before the first.</summary>
    public TimeSpan? SinceLastHeartbeat =>
        Interlocked.Read(ref lastHeartbeatTimestamp) is var t and > 0 ? time.GetElapsedTime(t) : null;

    /// <inheritdoc/>
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (schema is { IsApplied: false })
        {
            return; // never registered
        }

        try
        {
            await table.SetStatusAsync(silo.Id, SiloStatus.ShuttingDown, cancellationToken);
            LogShuttingDown(silo.Id);
        }
        catch (Exception error) when (error is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            LogRoundFailed(error, silo.Id);
        }
    }

    /// <inheritdoc/>
    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (schema is { IsApplied: false })
        {
            return;
        }

        try
        {
            await table.SetStatusAsync(silo.Id, SiloStatus.Dead, cancellationToken);
            LogLeft(silo.Id);
        }
        catch (Exception error) when (error is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            LogRoundFailed(error, silo.Id);
        }
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (schema is not null)
        {
            await schema.WaitUntilAppliedAsync(stoppingToken);
        }

        using var timer = new PeriodicTimer(settings.HeartbeatInterval, time);
        var registered = false;
        do
        {
            try
            {
                if (!registered)
                {
                    await table.RegisterAsync(silo, stoppingToken);
                    registered = true;
                    LogJoined(silo.Id, silo.Host);
                }

                if (!await table.HeartbeatAsync(silo.Id, OwnedPartitions(), Ready(), stoppingToken))
                {
                    LogDeclaredDead(silo.Id);
                    lifetime.StopApplication();
                    return;
                }

                Interlocked.Exchange(ref lastHeartbeatTimestamp, time.GetTimestamp());
                lastError = null;
                foreach (var dead in await table.MarkDeadAsync(settings.DeadAfter, settings.ForgetDeadAfter, stoppingToken))
                {
                    LogOtherDead(dead, settings.DeadAfter);
                }
            }
            catch (Exception error) when (error is NpgsqlException or TimeoutException || (error is OperationCanceledException && !stoppingToken.IsCancellationRequested))
            {
                lastError = error.Message;
                LogRoundFailed(error, silo.Id);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Information, Message = "Silo {SiloId} joined the cluster from {Host}")]
    private partial void LogJoined(string siloId, string host);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Silo {SiloId} declared dead: no heartbeat for {DeadAfter}")]
    private partial void LogOtherDead(string siloId, TimeSpan deadAfter);

    [LoggerMessage(EventId = 6003, Level = LogLevel.Critical, Message = "Silo {SiloId} was declared dead by the cluster; stopping this process")]
    private partial void LogDeclaredDead(string siloId);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Warning, Message = "Silo {SiloId} could not reach the membership table; retrying")]
    private partial void LogRoundFailed(Exception error, string siloId);

    [LoggerMessage(EventId = 6006, Level = LogLevel.Information, Message = "Silo {SiloId} is shutting down: handing its partitions over")]
    private partial void LogShuttingDown(string siloId);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Information, Message = "Silo {SiloId} left the cluster")]
    private partial void LogLeft(string siloId);
}
