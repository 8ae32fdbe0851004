using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using PriceActors.Grains.Feeds;
using PriceActors.Grains.Storage;
using PriceActors.Grains.Streams;

namespace PriceActors.Gateway.Hosting;

/// <summary>Logs, once the server listens, the mode and backends in one line and the URL of the page.</summary>
internal sealed class StartupReport(
    IHostApplicationLifetime lifetime,
    IServer server,
    IOptions<PriceActorsOptions> options,
    IOptions<SyntheticFeedOptions> feeds,
    ITickStream bus,
    IMarketStore store,
    ILogger<StartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Report);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Report()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var f = feeds.Value;
        logger.LogInformation(
            "PriceActors started: mode={Mode} bus={Bus} store={Store} feeds=synthetic {Exchanges} exchanges x {Symbols} symbols at {TicksPerSecond} ticks/s partitions={Partitions} urls={Urls}",
            options.Value.Mode,
            bus.GetType().Name,
            store.GetType().Name,
            f.Exchanges.Count,
            f.AllSymbols().Count(),
            f.TicksPerSecond,
            bus.PartitionCount,
            string.Join(" ", addresses));
        foreach (var address in addresses.Select(a => a.TrimEnd('/')))
        {
            logger.LogInformation("Dashboard: {DashboardUrl}/  API: {ApiUrl}/instruments  Health: {HealthUrl}/health", address, address, address);
        }
    }
}
