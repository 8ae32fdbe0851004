using PriceActors.Grains;
using PriceActors.Grains.Instruments;

namespace PriceActors.Gateway.Hosting;

/// <summary>
/// Keeps a cluster gateway's instrument catalog in the cluster's feed mode: reads <see cref="IFeedModeGrain"/> every
/// second while connected (a switch through another gateway shows here within that).
/// </summary>
internal sealed partial class FeedModeWatcher(
    IGrainFactory grains, ConfiguredInstrumentCatalog catalog, ClusterConnection connection, ILogger<FeedModeWatcher> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        try
        {
            do
            {
                if (!connection.IsConnected)
                {
                    continue;
                }

                try
                {
                    var status = await grains.GetGrain<IFeedModeGrain>(IFeedModeGrain.Key).GetAsync().WaitAsync(Period * 5, stoppingToken);
                    if (catalog.Mode != status.Mode)
                    {
                        LogFollowed(status.Mode, status.Epoch);
                        catalog.Mode = status.Mode;
                    }
                }
                catch (Exception error) when (error is not OperationCanceledException && error is not OutOfMemoryException)
                {
                    LogUnknown(error);
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Gateway follows feed mode {Mode} (epoch {Epoch})")]
    private partial void LogFollowed(FeedMode mode, long epoch);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Debug, Message = "Gateway could not read the feed mode; trying again in a second")]
    private partial void LogUnknown(Exception error);
}
