using PriceActors.Gateway.Admin;
using PriceActors.Gateway.Api;
using PriceActors.Gateway.Streaming;
using PriceActors.Grains.Streams;
using PriceActors.Silo.Embedded;

namespace PriceActors.Gateway.Hosting;

/// <summary>Picks the mode and its backends from configuration.</summary>
public static class PriceActorsHostingExtensions
{
    /// <summary>Adds the backends of the configured <see cref="PriceActorsOptions.Mode"/>; startup logs the choice in one line.</summary>
    /// <param name="builder">The application builder.</param>
    public static WebApplicationBuilder AddPriceActors(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<PriceActorsOptions>().BindConfiguration(PriceActorsOptions.Section).ValidateOnStart();
        var mode = builder.Configuration.GetSection(PriceActorsOptions.Section).Get<PriceActorsOptions>()?.Mode ?? HostingMode.Embedded;
        switch (mode)
        {
            case HostingMode.Embedded:
                builder.AddEmbeddedSilo();
                builder.Services.AddSingleton<IUpdateSource, OrleansUpdateSource>();
                break;
            case HostingMode.Cluster:
                builder.AddClusterGateway();
                break;
            default:
                throw new InvalidOperationException($"Mode {mode} is not supported.");
        }

        builder.Services.AddOptions<AdminOptions>().BindConfiguration(AdminOptions.Section);
        builder.Services.AddOptions<ConsolidatedOptions>().BindConfiguration(ConsolidatedOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<AdminKeyFilter>();
        builder.Services.AddHostedService<StartupReport>();
        return builder;
    }
}
