using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PriceActors.Tests.Grains.Feeds.Live;

/// <summary>
/// A real SOCKS5 proxy on loopback (RFC 1928, CONNECT only; RFC 1929 username/password when given): relays bytes both
/// ways and records each tunnel's target.
/// </summary>
internal sealed class TestSocksProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentQueue<string> tunnels = new();
    private readonly ConcurrentBag<TcpClient> clients = [];
    private readonly (string User, string Password)? credentials;
    private readonly Task accepting;

    private TestSocksProxy((string, string)? credentials)
    {
        this.credentials = credentials;
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    public string Url => credentials is { } c ? $"socks5://{c.User}:{c.Password}@127.0.0.1:{Port}" : $"socks5://127.0.0.1:{Port}";

    /// <summary>host:port of every tunnel opened, in order.</summary>
    public IReadOnlyCollection<string> Tunnels => tunnels;

    public static TestSocksProxy Start(string? user = null, string? password = null) => new(user is null ? null : (user, password ?? ""));

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
            var greeting = await ReadAsync(stream, 2);
            var methods = await ReadAsync(stream, greeting[1]);
            var wanted = credentials is null ? (byte)0x00 : (byte)0x02;
            if (greeting[0] != 5 || !methods.Contains(wanted))
            {
                await stream.WriteAsync(new byte[] { 5, 0xFF });
                return;
            }

            await stream.WriteAsync(new byte[] { 5, wanted });
            if (credentials is { } expected)
            {
                var version = await ReadAsync(stream, 2);
                var user = Encoding.UTF8.GetString(await ReadAsync(stream, version[1]));
                var password = Encoding.UTF8.GetString(await ReadAsync(stream, (await ReadAsync(stream, 1))[0]));
                var ok = user == expected.User && password == expected.Password;
                await stream.WriteAsync(new byte[] { 1, ok ? (byte)0 : (byte)1 });
                if (!ok)
                {
                    return;
                }
            }

            var request = await ReadAsync(stream, 4);
            string host = request[3] switch
            {
                1 => new IPAddress(await ReadAsync(stream, 4)).ToString(),
                3 => Encoding.ASCII.GetString(await ReadAsync(stream, (await ReadAsync(stream, 1))[0])),
                4 => new IPAddress(await ReadAsync(stream, 16)).ToString(),
                _ => throw new IOException("unknown address type"),
            };
            var portBytes = await ReadAsync(stream, 2);
            var port = (portBytes[0] << 8) | portBytes[1];
            if (request[1] != 1)
            {
                await stream.WriteAsync(new byte[] { 5, 7, 0, 1, 0, 0, 0, 0, 0, 0 });
                return;
            }

            using var upstream = new TcpClient();
            await upstream.ConnectAsync(host, port, stopping.Token);
            tunnels.Enqueue($"{host}:{port}");
            await stream.WriteAsync(new byte[] { 5, 0, 0, 1, 127, 0, 0, 1, 0, 0 });
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

    private static async Task<byte[]> ReadAsync(NetworkStream stream, int count)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer);
        return buffer;
    }
}
