using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PriceActors.Tests.Grains.Feeds.Live;

/// <summary>A real SOCKS5 proxy on loopback (RFC 1928, CONNECT only; RFC 1929 username/password when given).</summary>
internal sealed class TestSocksProxy : TunnelProxy
{
    private readonly (string User, string Password)? credentials;

    private TestSocksProxy((string, string)? credentials) => this.credentials = credentials;

    public string Url => credentials is { } c ? $"socks5://{c.User}:{c.Password}@127.0.0.1:{Port}" : $"socks5://127.0.0.1:{Port}";

    public static TestSocksProxy Start(string? user = null, string? password = null)
    {
        var proxy = new TestSocksProxy(user is null ? null : (user, password ?? ""));
        proxy.Listen();
        return proxy;
    }

    protected override async Task<(string Host, int Port)?> HandshakeAsync(NetworkStream stream)
    {
        var greeting = await ReadAsync(stream, 2);
        var methods = await ReadAsync(stream, greeting[1]);
        var wanted = credentials is null ? (byte)0x00 : (byte)0x02;
        if (greeting[0] != 5 || !methods.Contains(wanted))
        {
            await stream.WriteAsync(new byte[] { 5, 0xFF });
            return null;
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
                return null;
            }
        }

        var request = await ReadAsync(stream, 4);
        var host = request[3] switch
        {
            1 => new IPAddress(await ReadAsync(stream, 4)).ToString(),
            3 => Encoding.ASCII.GetString(await ReadAsync(stream, (await ReadAsync(stream, 1))[0])),
            4 => new IPAddress(await ReadAsync(stream, 16)).ToString(),
            _ => throw new IOException("unknown address type"),
        };
        var port = await ReadAsync(stream, 2);
        if (request[1] != 1)
        {
            await stream.WriteAsync(new byte[] { 5, 7, 0, 1, 0, 0, 0, 0, 0, 0 });
            return null;
        }

        return (host, (port[0] << 8) | port[1]);
    }

    protected override Task ConfirmAsync(NetworkStream stream) => stream.WriteAsync(new byte[] { 5, 0, 0, 1, 127, 0, 0, 1, 0, 0 }).AsTask();
}
