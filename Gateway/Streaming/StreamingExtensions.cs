using PriceActors.Silo.Hosting;

namespace PriceActors.Gateway.Streaming;

/// <summary>Adds and maps the live price stream.</summary>
public static class StreamingExtensions
{
    /// <summary>Adds SignalR (JSON protocol, camel case) and the broadcaster.</summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddPriceStreaming(this IServiceCollection services)
    {
        services.AddSignalR().AddJsonProtocol(o => ServiceDefaultsExtensions.Configure(o.PayloadSerializerOptions)).AddMessagePackProtocol();
        services.AddOptions<StreamingOptions>().BindConfiguration(StreamingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<PriceBroadcaster>();
        services.AddHostedService(sp => sp.GetRequiredService<PriceBroadcaster>());
        services.AddHealthChecks().AddCheck<BroadcasterHealthCheck>("subscribers");
        return services;
    }

    /// <summary>Maps the hub at <see cref="PriceHub.Path"/>.</summary>
    /// <param name="app">The application.</param>
    public static WebApplication MapPriceHub(this WebApplication app)
    {
        app.MapHub<PriceHub>(PriceHub.Path);
        return app;
    }
}
