using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using PriceActors.Silo.Cluster;
using ClusterOptions = Orleans.Configuration.ClusterOptions;

namespace PriceActors.Tests.Support;

/// <summary>A started host with an Orleans client of a cluster on PostgreSQL, as a gateway or a feed outside the silos has one.</summary>
internal static class ClusterClientHost
{
    /// <summary>Connects to the cluster <paramref name="clusterId"/> found in <paramref name="connectionString"/>'s membership table; <paramref name="configure"/> adds to the client (streams).</summary>
    public static async Task<IHost> StartAsync(string connectionString, string clusterId, Action<IClientBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (clusterId, ClusterSiloExtensions.ServiceId));
            client.UsePostgresClustering(connectionString);
            configure?.Invoke(client);
        });
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }
}
