using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using PriceActors.Gateway.Streaming;
using PriceActors.Grains;
using PriceActors.Silo.Ops;

namespace PriceActors.Gateway.Ops;

/// <summary>
/// Reports this gateway's streaming to the operations grain: connections by transport, instruments subscribed, messages
/// delivered, conflated and dropped, stuck clients disconnected, messages queued. In the cluster the grain is reached
/// through the gateway's Orleans client.
/// </summary>
public sealed class GatewayOpsReporter(
    IGrainFactory grains, PriceBroadcaster broadcaster, IServer server, TimeProvider time, ILogger<GatewayOpsReporter> logger)
    : OpsReporter(grains, time, logger)
{
    /// <inheritdoc/>
    protected override ProcessReport Report(DateTimeOffset now)
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
            now,
            new Dictionary<string, long> { ["delivered"] = delivered, ["conflated"] = conflated, ["disconnected"] = disconnected, ["dropped"] = dropped },
            gauges,
            [],
            []);
    }
}
