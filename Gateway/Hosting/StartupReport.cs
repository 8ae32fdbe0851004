using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;
using Npgsql;
using PriceActors.Gateway.Streaming;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;
using PriceActors.Grains.Instruments;
using PriceActors.Grains.Storage;
using PriceActors.Silo.Embedded;

namespace PriceActors.Gateway.Hosting;

/// <summary>Logs, once the server listens, the mode and backends in one line and the URL of the page.</summary>
internal sealed class StartupReport(
    IHostApplicationLifetime lifetime,
    IServer server,
    IOptions<PriceActorsOptions> options,
    IServiceProvider services,
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
        var grpcPort = services.GetRequiredService<IOptions<StreamingOptions>>().Value.GrpcPort;
        var all = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var addresses = all.Where(a => grpcPort == 0 || new Uri(a).Port != grpcPort).ToList();
        var urls = string.Join(" ", addresses);
        if (options.Value.Mode == HostingMode.Cluster)
        {
            ReportCluster(urls);
        }
        else
        {
            ReportEmbedded(urls);
        }

        foreach (var address in addresses.Select(a => a.TrimEnd('/')))
        {
            logger.LogInformation("Page: {PageUrl}/  Orleans Dashboard: {OrleansDashboardUrl}/dashboard/  API: {ApiUrl}/instruments  Health: {HealthUrl}/health", address, address, address, address);
        }

        foreach (var address in all.Except(addresses))
        {
            logger.LogInformation("gRPC (h2c): {GrpcUrl} priceactors.v1.PriceStream", address);
        }
    }

    private void ReportEmbedded(string urls)
    {
        var f = services.GetRequiredService<IOptions<SyntheticFeedOptions>>().Value;
        var live = services.GetRequiredService<IOptions<LiveFeedsOptions>>().Value;
        var silo = services.GetRequiredService<IOptions<EmbeddedSiloOptions>>().Value;
        var feeds = live.Mode == FeedMode.Live
            ? $"live {string.Join(",", live.Sources().Select(source => source.Exchange))}"
            : $"synthetic {f.Exchanges.Count} exchanges x {f.AllSymbols().Count()} symbols at {f.TicksPerSecond} ticks/s";
        logger.LogInformation(
            "PriceActors started: mode={Mode} runtime=Orleans clustering=localhost siloPort={SiloPort} streams=memory store={Store} feeds={Feeds} urls={Urls}",
            options.Value.Mode,
            silo.SiloPort,
            services.GetRequiredService<IMarketStore>().GetType().Name,
            feeds,
            urls);
    }

    private void ReportCluster(string urls)
    {
        var cluster = services.GetRequiredService<IOptions<ClusterGatewayOptions>>().Value;
        var database = new NpgsqlConnectionStringBuilder(services.GetRequiredService<IConfiguration>()["Postgres:ConnectionString"]);
        logger.LogInformation(
            "PriceActors started: mode={Mode} runtime=Orleans role=client cluster={ClusterId} clustering=postgres database={Database} store={Store} instruments={Instruments} urls={Urls}",
            options.Value.Mode,
            cluster.ClusterId,
            $"{database.Host}:{database.Port}/{database.Database}",
            "none (the silos own it)",
            services.GetRequiredService<IInstrumentCatalog>().All.Count,
            urls);
    }
}
