using System.Net;
using System.Net.Sockets;

namespace PriceActors.Tests.Support;

/// <summary>Loopback ports nobody listens on, for the silos the tests start (several run in one test process).</summary>
public static class FreePort
{
    /// <summary>A port the system just handed out and released.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
