using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using Microsoft.Extensions.Options;
using PriceActors.Silo.Hosting;

namespace PriceActors.Gateway.Streaming;

/// <summary>Adds and maps the live price streams: the SignalR hub, the raw WebSocket and server-sent events.</summary>
public static class StreamingExtensions
{
    /// <summary>Adds SignalR (JSON and MessagePack, camel case), gRPC, the broadcaster and the WebSocket and SSE endpoints.</summary>
    /// <param name="services">The service collection.</param>
    public static IServiceCollection AddPriceStreaming(this IServiceCollection services)
    {
        services.AddSignalR().AddJsonProtocol(o => ServiceDefaultsExtensions.Configure(o.PayloadSerializerOptions)).AddMessagePackProtocol();
        services.AddOptions<StreamingOptions>().BindConfiguration(StreamingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SocketTransportOptions>().Configure<IOptions<StreamingOptions>>((sockets, streaming) =>
        {
            if (streaming.Value.SocketSendBufferBytes is > 0 and var size)
            {
                // Accepted sockets inherit the listening socket's buffer sizes.
                sockets.CreateBoundListenSocket = endpoint =>
                {
                    var socket = SocketTransportOptions.CreateDefaultBoundListenSocket(endpoint);
                    socket.SendBufferSize = size;
                    return socket;
                };
            }
        });
        services.AddSingleton<PriceBroadcaster>();
        services.AddHostedService(sp => sp.GetRequiredService<PriceBroadcaster>());
        services.AddSingleton<WebSocketEndpoint>();
        services.AddSingleton<SseEndpoint>();
        services.AddGrpc();
        services.AddOptions<GrpcServiceOptions>().Configure<IOptions<Hosting.ApiLimitsOptions>>((grpc, limits) => grpc.MaxReceiveMessageSize = limits.Value.MaxRequestBytes);
        services.AddHealthChecks().AddCheck<BroadcasterHealthCheck>("subscribers");
        return services;
    }

    /// <summary>
    /// Maps the hub at <see cref="PriceHub.Path"/>, the WebSocket at <c>/ws</c>, the event stream at <c>/prices/stream</c> and
    /// the gRPC <c>priceactors.v1.PriceStream</c>.
    /// </summary>
    /// <param name="app">The application.</param>
    public static WebApplication MapPriceStreams(this WebApplication app)
    {
        app.MapHub<PriceHub>(PriceHub.Path);
        app.Map("/ws", (HttpContext context, WebSocketEndpoint endpoint) => endpoint.HandleAsync(context, null, null)).ExcludeFromDescription();
        app.Map("/ws/{exchange}/{symbol}", (HttpContext context, string exchange, string symbol, WebSocketEndpoint endpoint) => endpoint.HandleAsync(context, exchange, symbol))
            .ExcludeFromDescription();
        app.MapGrpcService<Grpc.PriceStreamService>();
        app.MapGet(SseEndpoint.Path, (HttpContext context, SseEndpoint endpoint) => endpoint.HandleAsync(context))
            .WithSummary("Server-sent events: the instruments' updates, resumable with Last-Event-ID or since")
            .WithDescription(SseEndpoint.Description);
        return app;
    }
}
