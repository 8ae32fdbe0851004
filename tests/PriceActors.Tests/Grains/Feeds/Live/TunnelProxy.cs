using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace PriceActors.Tests.Grains.Feeds.Live;

/// <summary>
/// What the proxies of the tests share: a loopback listener, and per client a handshake (the protocol's), a connection
/// to the target it names, the protocol's confirmation, then bytes relayed both ways. Each tunnel's target is recorded.
/// </summary>
internal abstract class TunnelProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentQueue<string> tunnels = new();
    private readonly ConcurrentBag<TcpClient> clients = [];
    private Task accepting = Task.CompletedTask;

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>host:port of every tunnel opened, in order.</summary>
    public IReadOnlyCollection<string> Tunnels => tunnels;

    /// <summary>Names (host, or host:port) only the proxy resolves, to loopback ports.</summary>
    public ConcurrentDictionary<string, int> Hosts { get; } = new(StringComparer.OrdinalIgnoreCase);

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

    protected void Listen()
    {
        listener.Start();
        accepting = AcceptAsync();
    }

    /// <summary>Reads the client's request; the target it names, or null once it answered a refusal itself.</summary>
    protected abstract Task<(string Host, int Port)?> HandshakeAsync(NetworkStream stream);

    /// <summary>Tells the client the tunnel is open.</summary>
    protected abstract Task ConfirmAsync(NetworkStream stream);

    protected static async Task<byte[]> ReadAsync(NetworkStream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer);
        return buffer;
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
            if (await HandshakeAsync(stream) is not var (host, port))
            {
                return;
            }

            var target = $"{host}:{port}";
            if (Hosts.TryGetValue(target, out var mapped) || Hosts.TryGetValue(host, out mapped))
            {
                (host, port) = ("127.0.0.1", mapped);
            }

            using var upstream = new TcpClient();
            await upstream.ConnectAsync(host, port, stopping.Token);
            tunnels.Enqueue(target);
            await ConfirmAsync(stream);
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
}
