using Microsoft.Extensions.Options;
using Orleans.Dashboard;
using PriceActors.Gateway.Api;
using PriceActors.Gateway.Dashboard;
using PriceActors.Gateway.Hosting;
using PriceActors.Gateway.Ops;
using PriceActors.Gateway.Streaming;
using PriceActors.Gateway.Streaming.Grpc;
using PriceActors.Silo.Hosting;
using Scalar.AspNetCore;

namespace PriceActors.Gateway;

/// <summary>The gateway application: the same composition for <c>dotnet run</c> and for the end-to-end tests.</summary>
public static class PriceGateway
{
    /// <summary>Builds the application from command-line arguments (e.g. <c>--urls</c>, <c>--Feeds:Synthetic:Seed=7</c>).</summary>
    /// <param name="args">Command-line arguments.</param>
    /// <param name="services">Adds services of a host beyond the gateway's (the benchmarks' baseline broadcaster).</param>
    /// <param name="endpoints">Maps endpoints beyond the gateway's.</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? services = null, Action<WebApplication>? endpoints = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddServiceDefaults();
        builder.AddPriceActors();
        builder.Services.AddPriceStreaming();
        builder.AddGrpcEndpoint();
        builder.Services.AddOps();
        builder.AddApiLimits();
        builder.Services.AddOpenApi(o =>
        {
            // The API only: not the page nor the Orleans Dashboard's own endpoints.
            o.ShouldInclude = api => api.RelativePath is { Length: > 0 } path && !path.StartsWith("dashboard", StringComparison.Ordinal);
            o.AddDocumentTransformer((document, _, _) =>
            {
                document.Info.Title = "PriceActors";
                document.Info.Description = "Live market prices: latest trades, window statistics, minute bars, candles, consolidated prices, feed modes and proxies.";
                return Task.CompletedTask;
            });
        });

        services?.Invoke(builder);
        var app = builder.Build();
        app.UseServiceDefaults();
        if (app.Services.GetRequiredService<IOptions<PriceActorsOptions>>().Value.Mode == HostingMode.Cluster)
        {
            app.UseClusterConnectionGate();
        }

        app.UseApiLimits();
        app.UseWebSockets();
        app.MapPriceApi();
        app.MapStatApi();
        app.MapCandleApi();
        app.MapConsolidatedApi();
        app.MapModeApi();
        app.MapProxyApi();
        app.MapPriceStreams();
        app.MapDashboard();
        app.MapOps();
        app.MapOrleansDashboard("/dashboard");
        app.MapHealthEndpoints();
        app.MapOpenApi();
        app.MapScalarApiReference("/api");
        endpoints?.Invoke(app);
        return app;
    }
}
