using Microsoft.AspNetCore.Http.HttpResults;
using PriceActors.Gateway.Api;
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
        app.MapGet("/ops/data", async Task<Results<Ok<ProcessReport[][]>, ProblemHttpResult>> (IGrainFactory grains, string? after) =>
            {
                DateTimeOffset? from = null;
                if (after is not null)
                {
                    if (!Times.TryParse(after, out var parsed))
                    {
                        return Problems.BadRequest($"after={after} is not valid: use ISO 8601 (a report's 'at', e.g. 2026-12-07T10:00:00.1234567+00:00) or Unix milliseconds.");
                    }

                    from = parsed;
                }

                return TypedResults.Ok(await grains.GetGrain<IOpsGrain>(IOpsGrain.Key).GetAsync(from));
            })
            .WithSummary("The operations view: every gateway's and silo's reports of the last minutes (counters since each started, gauges, tick streams, busiest pairs)")
            .WithDescription("With ?after=, only the reports made later, and of a process with none its newest: a reader that keeps what it read polls with the newest 'at' it has.");
        return app;
    }
}
