using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PriceActors.Tests.Grains.Feeds.Live;

/// <summary>
/// A real HTTP CONNECT proxy on loopback for the proxy tests: answers <c>CONNECT host:port</c> with 200 and relays bytes
/// both ways, optionally only with Basic credentials. Host names in <see cref="Hosts"/> resolve to loopback ports, so a
/// test can name an exchange that only the proxy reaches.
/// </summary>
internal sealed class TestProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentQueue<string> tunnels = new();
    private readonly ConcurrentBag<TcpClient> clients = [];
    private readonly Task accepting;
    private readonly string? credentials;

    private TestProxy(string? user, string? password)
    {
        credentials = user is null ? null : Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}"));
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>The proxy URL, with the credentials when it wants them.</summary>
    public string Url { get; private set; } = "";

    /// <summary>host:port of every tunnel opened, in order.</summary>
    public IReadOnlyCollection<string> Tunnels => tunnels;

    /// <summary>Requests refused for missing or wrong credentials.</summary>
    public int Refused;

    /// <summary>Names (host, or host:port) only the proxy resolves, to loopback ports.</summary>
    public ConcurrentDictionary<string, int> Hosts { get; } = new(StringComparer.OrdinalIgnoreCase);

    public static TestProxy Start(string? user = null, string? password = null)
    {
        var proxy = new TestProxy(user, password);
        proxy.Url = user is null ? $"http://127.0.0.1:{proxy.Port}" : $"http://{user}:{password}@127.0.0.1:{proxy.Port}";
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        foreach (var client in clients)
        {
            client.Dispose();
        }

        await accepting;
    }

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stopping.Token);
            }
            catch (Exception) when (stopping.IsCancellationRequested)
            {
                return;
            }

            clients.Add(client);
            _ = ServeAsync(client);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        try
        {
            var stream = client.GetStream();
            var head = await ReadHeadAsync(stream);
            var lines = head.Split("\r\n");
            var request = lines[0].Split(' ');
            if (request.Length < 3 || request[0] != "CONNECT")
            {
                await WriteAsync(stream, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n");
                return;
            }

            if (credentials is not null && !lines.Any(l => l.Equals($"Proxy-Authorization: Basic {credentials}", StringComparison.OrdinalIgnoreCase)))
            {
                Interlocked.Increment(ref Refused);
                await WriteAsync(stream, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n");
                return;
            }

            var target = request[1];
            var colon = target.LastIndexOf(':');
            var host = target[..colon];
            var port = int.Parse(target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            if (Hosts.TryGetValue(target, out var mapped) || Hosts.TryGetValue(host, out mapped))
            {
                (host, port) = ("127.0.0.1", mapped);
            }

            using var upstream = new TcpClient();
            await upstream.ConnectAsync(host, port, stopping.Token);
            tunnels.Enqueue(target);
            await WriteAsync(stream, "HTTP/1.1 200 Connection established\r\n\r\n");
            var up = upstream.GetStream();
            await Task.WhenAny(stream.CopyToAsync(up, stopping.Token), up.CopyToAsync(stream, stopping.Token));
        }
        catch (Exception error) when (error is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // A side went away.
        }
        finally
        {
            client.Dispose();
        }
    }

    private static async Task<string> ReadHeadAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (!(head.Count >= 4 && head[^4] == '\r' && head[^3] == '\n' && head[^2] == '\r' && head[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0 || head.Count > 16 * 1024)
            {
                throw new IOException("The request head ended early.");
            }

            head.Add(one[0]);
        }

        return Encoding.ASCII.GetString(head.ToArray());
    }

    private static Task WriteAsync(NetworkStream stream, string text) => stream.WriteAsync(Encoding.ASCII.GetBytes(text)).AsTask();
}
