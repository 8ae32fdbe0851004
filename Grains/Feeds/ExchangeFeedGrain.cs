using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Streams;
using PriceActors.Grains.Feeds.Live;

namespace PriceActors.Grains.Feeds;

/// <summary>
/// The feed of one exchange, synthetic in test mode and the exchange's live stream (<see cref="LiveFeed"/>) in live
/// mode. Its source runs as a loop in the grain's context and produces rounds of batches; the
/// grain publishes each round as one <see cref="TickRound"/> per tick stream of the exchange
/// (<see cref="StreamNames.TicksOf(InstrumentKey)"/>), the streams in parallel, and the next round only after this one, so
/// every stream carries its instruments' trades in order. It starts and stops the source and reports its state. A
/// running feed keeps the grain active; a round a stream refuses (a full queue) is offered again after a pause, so
/// the feed slows to what the streams take.
/// </summary>
[Immovable]
public sealed partial class ExchangeFeedGrain(
    IOptions<SyntheticFeedOptions> options,
    IOptions<LiveFeedsOptions> liveOptions,
    [FromKeyedServices(TimeProviderNames.Grains)] TimeProvider time,
    ILoggerFactory loggers,
    ILogger<ExchangeFeedGrain> logger) : Grain, IExchangeFeedGrain
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(20);
    private readonly IAsyncStream<TickRound>?[] streams = new IAsyncStream<TickRound>?[StreamNames.TickStreamsPerExchange];
    private readonly List<TickBatch>[] shards = [.. Enumerable.Range(0, StreamNames.TickStreamsPerExchange).Select(_ => new List<TickBatch>())];
    private SyntheticFeed? synthetic;
    private IFeedSource? feed;
    private FeedMode mode;
    private long epoch;
    private CancellationTokenSource? stopping;
    private Task running = Task.CompletedTask;
    private string? lastError;

    private string Exchange => this.GetPrimaryKeyString();

    /// <inheritdoc/>
    public async Task<FeedStatus> StartAsync(FeedModeStatus requested)
    {
        if (!running.IsCompleted)
        {
            if (requested.Mode == mode && requested.Epoch == epoch)
            {
                (feed as LiveFeed)?.UseProxies(requested.Proxy);
                return Status();
            }

            await StopFeedAsync();
        }

        mode = requested.Mode;
        epoch = requested.Epoch;
        if (mode == FeedMode.Test)
        {
            if (!options.Value.Exchanges.Contains(Exchange, StringComparer.Ordinal))
            {
                throw new InvalidOperationException($"Exchange '{Exchange}' has no synthetic feed; configured: {string.Join(", ", options.Value.Exchanges)}.");
            }

            feed = synthetic ??= new SyntheticFeed(Exchange, options.Value, PublishAsync, time);
            LogStarted(Exchange, feed.Source, feed.InstrumentCount, options.Value.TicksPerSecond, options.Value.Paced);
        }
        else
        {
            var source = liveOptions.Value.Sources().FirstOrDefault(s => s.Exchange == Exchange)
                ?? throw new InvalidOperationException($"Exchange '{Exchange}' has no live feed; configured: {string.Join(", ", liveOptions.Value.Sources().Select(s => s.Exchange))}.");
            var protocol = ExchangeProtocol.For(source, liveOptions.Value);
            var live = new LiveFeed(protocol, liveOptions.Value.Connection, PublishAsync, time, loggers.CreateLogger<LiveFeed>());
            live.UseProxies(requested.Proxy);
            feed = live;
            LogStartedLive(Exchange, protocol.Endpoint.GetLeftPart(UriPartial.Path), feed.InstrumentCount);
        }

        stopping = new CancellationTokenSource();
        lastError = null;
        running = RunAsync(feed, stopping.Token);
        this.DelayDeactivation(TimeSpan.MaxValue);
        return Status();
    }

    /// <inheritdoc/>
    public async Task<FeedStatus> StopAsync()
    {
        await StopFeedAsync();
        return Status();
    }

    /// <inheritdoc/>
    public Task<FeedStatus> GetStatusAsync() => Task.FromResult(Status());

    /// <inheritdoc/>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => StopFeedAsync();

    private async Task StopFeedAsync()
    {
        if (stopping is null)
        {
            return;
        }

        await stopping.CancelAsync();
        await running;
        stopping.Dispose();
        stopping = null;
        this.DelayDeactivation(TimeSpan.Zero);
        LogStopped(Exchange, feed?.TicksPublished ?? 0);
    }

    private async Task RunAsync(IFeedSource source, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await source.RunAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
        catch (Exception error)
        {
            lastError = error.Message;
            LogFaulted(error, Exchange);
        }
    }

    private Task PublishAsync(IReadOnlyList<TickBatch> round, CancellationToken cancellationToken)
    {
        foreach (var shard in shards)
        {
            shard.Clear();
        }

        foreach (var batch in round)
        {
            shards[StreamNames.ShardOf(batch.Instrument)].Add(batch);
        }

        var publishing = new List<Task>(shards.Length);
        for (var shard = 0; shard < shards.Length; shard++)
        {
            if (shards[shard].Count > 0)
            {
                publishing.Add(PublishAsync(shard, new TickRound([.. shards[shard]], epoch), cancellationToken));
            }
        }

        return Task.WhenAll(publishing);
    }

    private async Task PublishAsync(int shard, TickRound round, CancellationToken cancellationToken)
    {
        var stream = streams[shard] ??= this.GetStreamProvider(StreamNames.TickProvider).GetStream<TickRound>(StreamNames.TicksOf(Exchange, shard));
        while (true)
        {
            try
            {
                await stream.OnNextAsync(round);
                return;
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested)
            {
                LogPublishRetried(error, Exchange, stream.StreamId.ToString());
                await Task.Delay(RetryPause, time, cancellationToken);
            }
        }
    }

    private FeedStatus Status() => new(
        Exchange,
        lastError is not null ? FeedState.Faulted : running.IsCompleted ? FeedState.Stopped : FeedState.Running,
        feed?.Source ?? "none",
        feed?.InstrumentCount ?? 0,
        feed?.TicksPublished ?? 0,
        feed?.LastTickAt,
        lastError,
        mode,
        epoch,
        feed?.Connection());

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information,
        Message = "Feed {Exchange} started: {Source}, {Instruments} instruments, {TicksPerSecond} ticks/s each, paced {Paced}")]
    private partial void LogStarted(string exchange, string source, int instruments, double ticksPerSecond, bool paced);

    [LoggerMessage(EventId = 3006, Level = LogLevel.Information, Message = "Feed {Exchange} started: live from {Endpoint}, {Instruments} instruments")]
    private partial void LogStartedLive(string exchange, string endpoint, int instruments);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Feed {Exchange} stopped after {Ticks} ticks")]
    private partial void LogStopped(string exchange, long ticks);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Feed {Exchange} faulted and stopped")]
    private partial void LogFaulted(Exception error, string exchange);

    [LoggerMessage(EventId = 3005, Level = LogLevel.Debug, Message = "Feed {Exchange}: tick stream {Stream} refused a round; offering it again")]
    private partial void LogPublishRetried(Exception error, string exchange, string stream);
}
