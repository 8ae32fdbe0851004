using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace PriceActors.Gateway.Streaming.Grpc;

/// <summary>
/// Listens for gRPC on <see cref="StreamingOptions.GrpcPort"/>. Kestrel takes cleartext HTTP/2 (h2c) only on an endpoint
/// that speaks nothing else, and explicit endpoints replace the <c>urls</c>: so with a gRPC port the <c>urls</c> are bound
/// here as well, as Kestrel would bind them.
/// </summary>
public static class GrpcEndpointExtensions
{
    /// <summary>Adds the gRPC endpoint when a port is configured.</summary>
    /// <param name="builder">The application builder.</param>
    public static WebApplicationBuilder AddGrpcEndpoint(this WebApplicationBuilder builder)
    {
        var port = builder.Configuration.GetValue<int>($"{StreamingOptions.Section}:{nameof(StreamingOptions.GrpcPort)}");
        if (port <= 0)
        {
            return builder;
        }

        var urls = (builder.Configuration["urls"] ?? "http://localhost:5080").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            foreach (var url in urls)
            {
                var address = BindingAddress.Parse(url);
                if (!string.Equals(address.Scheme, "http", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"'{url}': with Streaming:GrpcPort the gateway listens on http:// urls only.");
                }

                Listen(kestrel, address.Host, address.Port, HttpProtocols.Http1AndHttp2);
            }

            Listen(kestrel, BindingAddress.Parse(urls[0]).Host, port, HttpProtocols.Http2);
        });
        return builder;
    }

    private static void Listen(KestrelServerOptions kestrel, string host, int port, HttpProtocols protocols)
    {
        Action<ListenOptions> configure = o => o.Protocols = protocols;
        if (host is "localhost")
        {
            kestrel.ListenLocalhost(port, configure);
        }
        else if (host is "*" or "+" or "0.0.0.0" or "[::]")
        {
            kestrel.ListenAnyIP(port, configure);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(host.Trim('[', ']')), port, configure);
        }
    }
}
