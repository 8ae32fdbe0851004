using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;
using PriceActors.Grains.Instruments;

namespace PriceActors.Silo.Feeds;

/// <summary>
/// Keeps the feeds of the cluster's mode running. Orleans has nothing that keeps a grain active at all times
/// (reminders tick once a minute at the fastest), so each silo reads the mode (<see cref="IFeedModeGrain"/>) and asks
/// every feed grain of that mode to start in it every <see cref="FeedKeeperOptions.Interval"/>; a running feed answers at
/// once, and a feed whose silo died is activated again wherever Orleans places it. When the mode or its epoch changed
/// since the last round (or on the first), the other mode's feeds are stopped, which finishes a switch a crash cut
/// short. The instrument catalog of the process follows the mode. On shutdown of the embedded silo the feeds are
/// stopped first, so their last batches reach the pairs before the silo stops
/// (<see cref="FeedKeeperOptions.StopFeedsOnShutdown"/>).
/// </summary>
internal sealed partial class FeedKeeper(
    IGrainFactory grains,
    IOptions<SyntheticFeedOptions> synthetic,
    IOptions<LiveFeedsOptions> live,
    IOptions<FeedKeeperOptions> options,
    ConfiguredInstrumentCatalog catalog,
    TimeProvider time,
    ILogger<FeedKeeper> logger) : BackgroundService
{
    private readonly HashSet<string> failing = [];
    private FeedModeStatus? current;

    /// <inheritdoc/>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!options.Value.Enabled || !options.Value.StopFeedsOnShutdown)
        {
            return;
        }

        foreach (var exchange in Exchanges(current?.Mode ?? live.Value.Mode))
        {
            try
            {
                await grains.GetGrain<IExchangeFeedGrain>(exchange).StopAsync().WaitAsync(cancellationToken);
            }
            catch (Exception error) when (error is not OutOfMemoryException)
            {
                LogStopFailed(error, exchange);
            }
        }
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            LogDisabled();
            return;
        }

        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            await KeepModeAsync(stoppingToken);
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

    private async Task KeepModeAsync(CancellationToken stoppingToken)
    {
        FeedModeStatus mode;
        try
        {
            mode = await grains.GetGrain<IFeedModeGrain>(IFeedModeGrain.Key).GetAsync().WaitAsync(options.Value.Interval * 5, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            LogModeUnknown(error);
            return;
        }

        catalog.Mode = mode.Mode;
        var exchanges = Exchanges(mode.Mode);
        if (current is null || current.Epoch != mode.Epoch)
        {
            var others = Exchanges(mode.Mode == FeedMode.Test ? FeedMode.Live : FeedMode.Test).Except(exchanges);
            await Task.WhenAll(others.Select(e => StopAsync(e, stoppingToken)));
            if (current is not null)
            {
                LogModeFollowed(mode.Mode, mode.Epoch);
            }

            current = mode;
        }

        await Task.WhenAll(exchanges.Select(e => KeepAsync(e, mode, stoppingToken)));
    }

    private async Task StopAsync(string exchange, CancellationToken stoppingToken)
    {
        try
        {
            await grains.GetGrain<IExchangeFeedGrain>(exchange).StopAsync().WaitAsync(options.Value.Interval * 5, stoppingToken);
        }
        catch (Exception error) when (error is not OutOfMemoryException && !stoppingToken.IsCancellationRequested)
        {
            LogStopFailed(error, exchange);
        }
    }

    private async Task KeepAsync(string exchange, FeedModeStatus mode, CancellationToken stoppingToken)
    {
        try
        {
            var status = await grains.GetGrain<IExchangeFeedGrain>(exchange).StartAsync(mode).WaitAsync(options.Value.Interval * 5, stoppingToken);
            if (Recovered(exchange))
            {
                LogRecovered(exchange, status.State);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            lock (failing)
            {
                failing.Add(exchange);
            }

            LogStartFailed(error, exchange);
        }
    }

    private IReadOnlyList<string> Exchanges(FeedMode mode) => live.Value.ExchangesIn(mode, synthetic.Value);

    private bool Recovered(string exchange)
    {
        lock (failing)
        {
            return failing.Remove(exchange);
        }
    }

    [LoggerMessage(EventId = 3101, Level = LogLevel.Warning, Message = "Feed keeper could not start feed {Exchange}; trying again next round")]
    private partial void LogStartFailed(Exception error, string exchange);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Feed keeper reached feed {Exchange} again: {State}")]
    private partial void LogRecovered(string exchange, FeedState state);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Feed keeper disabled (Feeds:Keeper:Enabled false): feeds are not started")]
    private partial void LogDisabled();

    [LoggerMessage(EventId = 3105, Level = LogLevel.Warning, Message = "Feed keeper could not read the feed mode; trying again next round")]
    private partial void LogModeUnknown(Exception error);

    [LoggerMessage(EventId = 3106, Level = LogLevel.Information, Message = "Feed keeper follows feed mode {Mode} (epoch {Epoch})")]
    private partial void LogModeFollowed(FeedMode mode, long epoch);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Feed {Exchange} did not stop cleanly")]
    private partial void LogStopFailed(Exception error, string exchange);
}
