using PriceActors.Grains;

namespace PriceActors.Gateway.Ops;

/// <summary>
/// The operations view at <c>/ops</c> (a page) and <c>/ops/data</c> (its JSON): what every gateway and silo of the
/// cluster reported in the last minutes, whichever gateway answers.
/// </summary>
public static class OpsEndpoints
{
    /// <summary>Adds the gateway's reporter.</summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddOps(this IServiceCollection services) => services.AddHostedService<GatewayOpsReporter>();

    /// <summary>Maps <c>/ops</c> and <c>/ops/data</c>.</summary>
    /// <param name="app">The application.</param>
    public static WebApplication MapOps(this WebApplication app)
    {
        var page = Dashboard.DashboardEndpoints.Read("PriceActors.Gateway.Ops.ops.html");
        app.MapGet("/ops", () => Results.Text(page, "text/html; charset=utf-8")).ExcludeFromDescription();
        app.MapGet("/ops/data", async (IGrainFactory grains) => TypedResults.Ok(await grains.GetGrain<IOpsGrain>(IOpsGrain.Key).GetAsync()))
            .WithSummary("The operations view: every gateway's and silo's reports of the last minutes (counters since each started, gauges, tick streams, busiest pairs)");
        return app;
    }
}
