using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;

namespace PriceActors.Silo.Feeds;

/// <summary>
/// Keeps every configured exchange's feed running. Orleans has nothing that keeps a grain active at all times
/// (reminders tick once a minute at the fastest), so each silo asks every feed grain to start every
/// <see cref="FeedKeeperOptions.Interval"/>; a running feed answers at once, and a feed whose silo died is activated
/// again wherever Orleans places it. On shutdown of the embedded silo the feeds are stopped first, so their last
/// batches reach the pairs before the silo stops (<see cref="FeedKeeperOptions.StopFeedsOnShutdown"/>).
/// </summary>
internal sealed partial class FeedKeeper(
    IGrainFactory grains,
    IOptions<SyntheticFeedOptions> synthetic,
    IOptions<LiveFeedsOptions> live,
    IOptions<FeedKeeperOptions> options,
    TimeProvider time,
    ILogger<FeedKeeper> logger) : BackgroundService
{
    private readonly HashSet<string> failing = [];

    /// <inheritdoc/>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (!options.Value.Enabled || !options.Value.StopFeedsOnShutdown)
        {
            return;
        }

        foreach (var exchange in Exchanges())
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
            await Task.WhenAll(Exchanges().Select(e => KeepAsync(e, stoppingToken)));
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

    private async Task KeepAsync(string exchange, CancellationToken stoppingToken)
    {
        try
        {
            var status = await grains.GetGrain<IExchangeFeedGrain>(exchange).StartAsync(live.Value.Mode).WaitAsync(options.Value.Interval * 5, stoppingToken);
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

    private IReadOnlyList<string> Exchanges() => live.Value.ExchangesIn(live.Value.Mode, synthetic.Value);

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

    [LoggerMessage(EventId = 3103, Level = LogLevel.Warning, Message = "Feed {Exchange} did not stop cleanly")]
    private partial void LogStopFailed(Exception error, string exchange);
}
