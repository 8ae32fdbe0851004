using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using PriceActors.Gateway.Streaming;
using PriceActors.Grains;

namespace PriceActors.Gateway.Ops;

/// <summary>
/// Reports this gateway's streaming to the operations grain every two seconds: connections by transport, instruments
/// subscribed, messages delivered, conflated and dropped, stuck clients disconnected, messages queued. In the cluster the
/// grain is reached through the gateway's Orleans client; a report that fails is logged and the next one tries again.
/// </summary>
public sealed partial class GatewayOpsReporter(
    IGrainFactory grains, PriceBroadcaster broadcaster, IServer server, TimeProvider time, ILogger<GatewayOpsReporter> logger) : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await grains.GetGrain<IOpsGrain>(IOpsGrain.Key).ReportAsync(Report());
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    LogReportFailed(error);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private ProcessReport Report()
    {
        var (delivered, conflated, disconnected) = GatewayMetrics.Totals();
        var (connections, instruments, _, dropped) = broadcaster.GetStatistics();
        var (queued, largest) = broadcaster.GetQueued();
        var gauges = new Dictionary<string, double>
        {
            ["subscribers"] = connections,
            ["instruments"] = instruments,
            ["queued"] = queued,
            ["largestQueue"] = largest,
        };
        foreach (var (transport, open) in GatewayMetrics.OpenConnections())
        {
            gauges[$"connections.{transport}"] = open;
        }

        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "unknown";
        return new ProcessReport(
            $"gateway {address}",
            "gateway",
            time.GetUtcNow(),
            new Dictionary<string, long> { ["delivered"] = delivered, ["conflated"] = conflated, ["disconnected"] = disconnected, ["dropped"] = dropped },
            gauges,
            [],
            []);
    }

    [LoggerMessage(EventId = 4301, Level = LogLevel.Debug, Message = "The gateway's operations report did not reach the operations grain")]
    private partial void LogReportFailed(Exception error);
}
