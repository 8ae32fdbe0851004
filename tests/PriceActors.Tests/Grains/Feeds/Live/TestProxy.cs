using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace PriceActors.Tests.Grains.Feeds.Live;

/// <summary>
/// A real HTTP CONNECT proxy on loopback for the proxy tests: answers <c>CONNECT host:port</c> with 200 and relays bytes
/// both ways, optionally only with Basic credentials (407 otherwise).
/// </summary>
internal sealed class TestProxy : TunnelProxy
{
    private readonly string? userInfo;
    private readonly string? credentials;

    private TestProxy(string? user, string? password)
    {
        userInfo = user is null ? null : $"{user}:{password}@";
        credentials = user is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
    }

    /// <summary>The proxy URL, with the credentials when it wants them.</summary>
    public string Url => $"http://{userInfo}127.0.0.1:{Port}";

    public static TestProxy Start(string? user = null, string? password = null)
    {
        var proxy = new TestProxy(user, password);
        proxy.Listen();
        return proxy;
    }

    protected override async Task<(string Host, int Port)?> HandshakeAsync(NetworkStream stream)
    {
        var lines = (await ReadHeadAsync(stream)).Split("\r\n");
        var request = lines[0].Split(' ');
        if (request.Length < 3 || request[0] != "CONNECT")
        {
            await WriteAsync(stream, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
            return null;
        }

        if (credentials is not null && !lines.Any(l => l.Equals($"Proxy-Authorization: Basic {credentials}", StringComparison.OrdinalIgnoreCase)))
        {
            await WriteAsync(stream, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n");
            return null;
        }

        var colon = request[1].LastIndexOf(':');
        return (request[1][..colon], int.Parse(request[1][(colon + 1)..], CultureInfo.InvariantCulture));
    }

    protected override Task ConfirmAsync(NetworkStream stream) => WriteAsync(stream, "HTTP/1.1 200 Connection established\r\n\r\n");

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (head.Count > 16 * 1024)
            {
                throw new IOException("The request head is too long.");
            }

            head.Add((await ReadAsync(stream, 1))[0]);
        }

        return Encoding.ASCII.GetString(head.ToArray());
    }

    private static Task WriteAsync(NetworkStream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();
}
