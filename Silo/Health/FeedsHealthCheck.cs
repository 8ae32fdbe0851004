using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;
using PriceActors.Grains.Instruments;

namespace PriceActors.Silo.Health;

/// <summary>
/// Asks every feed of the current mode for its state: unhealthy if one faulted, degraded if one is not running or a live
/// one is not connected; each feed's status (connection, last message, reconnects, malformed frames, gaps) as data.
/// </summary>
internal sealed class FeedsHealthCheck(
    IGrainFactory grains, IOptions<SyntheticFeedOptions> synthetic, IOptions<LiveFeedsOptions> live, ConfiguredInstrumentCatalog catalog) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var statuses = await Task.WhenAll(live.Value.ExchangesIn(catalog.Mode, synthetic.Value).Select(e =>
            grains.GetGrain<IExchangeFeedGrain>(e).GetStatusAsync().WaitAsync(cancellationToken)));
        var data = statuses.ToDictionary(s => s.Exchange, object (s) => s);
        var faulted = statuses.Where(s => s.State == FeedState.Faulted).Select(s => s.Exchange).ToList();
        var stopped = statuses.Where(s => s.State == FeedState.Stopped).Select(s => s.Exchange).ToList();
        var disconnected = statuses.Where(s => s is { State: FeedState.Running, Connection.Connected: false })
            .Select(s => $"{s.Exchange} ({s.Connection!.LastDisconnect ?? "connecting"})").ToList();
        return faulted.Count > 0 ? HealthCheckResult.Unhealthy($"Faulted: {string.Join(", ", faulted)}", data: data)
            : stopped.Count > 0 ? HealthCheckResult.Degraded($"Stopped: {string.Join(", ", stopped)}", data: data)
            : disconnected.Count > 0 ? HealthCheckResult.Degraded($"Not connected: {string.Join(", ", disconnected)}", data: data)
            : HealthCheckResult.Healthy($"{statuses.Length} feeds running", data);
    }
}
