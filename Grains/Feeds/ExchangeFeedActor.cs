using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PriceActors.Grains.Streams;
using PriceActors.Runtime;
using DeactivationReason = PriceActors.Runtime.DeactivationReason;

namespace PriceActors.Grains.Feeds;

/// <summary>
/// The feed of one exchange. Its source runs outside the actor's turns (a loop publishing to the
/// tick stream); the actor starts and stops it and reports its state. A running feed keeps the
/// actor active.
/// </summary>
public sealed partial class ExchangeFeedActor(
    ITickStream stream,
    IFeedPermit permit,
    IOptions<SyntheticFeedOptions> options,
    ILogger<ExchangeFeedActor> logger) : Actor, IExchangeFeedActor
{
    private const string Source = "synthetic";
    private SyntheticFeed? feed;
    private CancellationTokenSource? stopping;
    private Task running = Task.CompletedTask;
    private volatile string? lastError;

    /// <inheritdoc/>
    public ValueTask<FeedStatus> HandleAsync(StartFeed request)
    {
        if (!running.IsCompleted)
        {
            return ValueTask.FromResult(Status());
        }

        if (!options.Value.Exchanges.Contains(Key, StringComparer.Ordinal))
        {
            throw new InvalidOperationException($"Exchange '{Key}' has no configured feed; configured: {string.Join(", ", options.Value.Exchanges)}.");
        }

        feed ??= new SyntheticFeed(Key, options.Value, PublishAsync, Time);
        stopping = new CancellationTokenSource();
        lastError = null;
        running = RunAsync(feed, stopping.Token);
        KeepAlive = true;
        LogStarted(Key, Source, feed.InstrumentCount, options.Value.TicksPerSecond, options.Value.Paced);
        return ValueTask.FromResult(Status());
    }

    /// <inheritdoc/>
    public async ValueTask<FeedStatus> HandleAsync(StopFeed request)
    {
        await StopAsync();
        return Status();
    }

    /// <inheritdoc/>
    public ValueTask<FeedStatus> HandleAsync(GetFeedStatus request) => ValueTask.FromResult(Status());

    /// <inheritdoc/>
    public override async ValueTask OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) =>
        await StopAsync();

    private async ValueTask StopAsync()
    {
        if (stopping is null)
        {
            return;
        }

        await stopping.CancelAsync();
        await running;
        stopping.Dispose();
        stopping = null;
        KeepAlive = false;
        LogStopped(Key, feed?.TicksPublished ?? 0);
    }

    private async Task RunAsync(SyntheticFeed source, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await source.RunAsync(cancellationToken);
            if (source.PermitLapsed)
            {
                LogPermitLapsed(Key, source.TicksPublished);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
        catch (Exception error)
        {
            lastError = error.Message;
            LogFaulted(error, Key);
        }
    }

    private async ValueTask<bool> PublishAsync(TickBatch batch, CancellationToken cancellationToken)
    {
        if (!permit.MayPublish(Key))
        {
            return false;
        }

        await stream.PublishAsync(batch, cancellationToken);
        return true;
    }

    private FeedStatus Status() => new(
        Key,
        lastError is not null ? FeedState.Faulted : running.IsCompleted ? FeedState.Stopped : FeedState.Running,
        Source,
        feed?.InstrumentCount ?? 0,
        feed?.TicksPublished ?? 0,
        feed?.LastTickAt,
        lastError);

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Feed {Exchange} started: {Source}, {Instruments} instruments, {TicksPerSecond} ticks/s each, paced {Paced}")]
    private partial void LogStarted(string exchange, string source, int instruments, double ticksPerSecond, bool paced);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Feed {Exchange} stopped after {Ticks} ticks")]
    private partial void LogStopped(string exchange, long ticks);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Feed {Exchange} faulted and stopped")]
    private partial void LogFaulted(Exception error, string exchange);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning,
        Message = "Feed {Exchange} stopped publishing after {Ticks} ticks: this silo's lease on it lapsed (was the process frozen?); its election stops or restarts it")]
    private partial void LogPermitLapsed(string exchange, long ticks);
}
