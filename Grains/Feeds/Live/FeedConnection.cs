using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace PriceActors.Grains.Feeds.Live;

/// <summary>What one receive from a live connection gave.</summary>
internal enum FrameKind
{
    /// <summary>A whole text frame (or NDJSON line) in the buffer.</summary>
    Text,

    /// <summary>A binary frame: not any supported protocol's.</summary>
    Binary,

    /// <summary>A frame longer than the limit; its bytes were skipped.</summary>
    Oversized,

    /// <summary>The peer closed the connection.</summary>
    Closed,
}

/// <summary>One open connection to a live source: frames in, text requests out.</summary>
internal abstract class FeedConnection : IAsyncDisposable
{
    /// <summary>The frame the last <see cref="ReceiveAsync"/> returned as <see cref="FrameKind.Text"/>; valid until the next receive.</summary>
    public abstract ReadOnlyMemory<byte> Frame { get; }

    /// <summary>
    /// Opens a WebSocket (ws://, wss://) or a TCP line connection (tcp://) to <paramref name="endpoint"/>, directly or
    /// through <paramref name="proxy"/> (http:// with HTTP CONNECT; socks5:// and socks4:// for WebSockets, as .NET's
    /// handler supports them), whose user information, if any, are its credentials.
    /// </summary>
    public static async Task<FeedConnection> OpenAsync(Uri endpoint, Uri? proxy, int maxFrameBytes, CancellationToken cancellationToken)
    {
        if (endpoint.Scheme == "tcp")
        {
            var client = new TcpClient { NoDelay = true };
            try
            {
                if (proxy is null)
                {
                    await client.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken);
                }
                else
                {
                    await TunnelAsync(client, proxy, endpoint, cancellationToken);
                }

                return new LineConnection(client, maxFrameBytes);
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }

        var socket = new ClientWebSocket();
        socket.Options.Proxy = proxy is null ? null : WebProxyOf(proxy);
        socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(15);
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
            return new WebSocketConnection(socket, maxFrameBytes);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A <see cref="WebProxy"/> of a proxy URL, its user information turned into credentials.</summary>
    public static WebProxy WebProxyOf(Uri proxy)
    {
        var address = new UriBuilder(proxy) { UserName = "", Password = "" }.Uri;
        var web = new WebProxy(address);
        if (Credentials(proxy) is { } credentials)
        {
            web.Credentials = credentials;
        }

        return web;
    }

    private static NetworkCredential? Credentials(Uri proxy)
    {
        if (string.IsNullOrEmpty(proxy.UserInfo))
        {
            return null;
        }

        var parts = proxy.UserInfo.Split(':', 2);
        return new NetworkCredential(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "");
    }

    /// <summary>An HTTP CONNECT tunnel to <paramref name="endpoint"/> through <paramref name="proxy"/> on <paramref name="client"/>.</summary>
    private static async Task TunnelAsync(TcpClient client, Uri proxy, Uri endpoint, CancellationToken cancellationToken)
    {
        if (proxy.Scheme != "http")
        {
            throw new NotSupportedException($"NDJSON feeds reach a proxy by HTTP CONNECT only; {FeedProxySettings.Describe(proxy.ToString())} is {proxy.Scheme}.");
        }

        await client.ConnectAsync(proxy.Host, proxy.Port, cancellationToken);
        var stream = client.GetStream();
        var request = new StringBuilder($"CONNECT {endpoint.Host}:{endpoint.Port} HTTP/1.1\r\nHost: {endpoint.Host}:{endpoint.Port}\r\n");
        if (Credentials(proxy) is { } credentials)
        {
            var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{credentials.UserName}:{credentials.Password}"));
            request.Append("Proxy-Authorization: Basic ").Append(basic).Append("\r\n");
        }

        request.Append("\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()), cancellationToken);

        // The answer's head, read a byte at a time so nothing of the tunnel's first bytes is consumed.
        var head = new List<byte>(256);
        var one = new byte[1];
        while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
        {
            if (head.Count > 8 * 1024 || await stream.ReadAsync(one, cancellationToken) == 0)
            {
                throw new IOException($"The proxy {FeedProxySettings.Describe(proxy.ToString())} closed the tunnel request without an answer.");
            }

            head.Add(one[0]);
        }

        var status = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n")[0];
        if (status.Split(' ') is not [_, "200", ..])
        {
            throw new IOException($"The proxy {FeedProxySettings.Describe(proxy.ToString())} refused the tunnel: {status}.");
        }
    }

    /// <summary>Waits for the next frame.</summary>
    public abstract ValueTask<FrameKind> ReceiveAsync(CancellationToken cancellationToken);

    /// <summary>Sends a text request.</summary>
    public abstract Task SendAsync(string text, CancellationToken cancellationToken);

    /// <summary>Closes politely where the transport has a close handshake, within a short time.</summary>
    public abstract Task CloseAsync(string reason);

    /// <inheritdoc/>
    public abstract ValueTask DisposeAsync();

    private sealed class WebSocketConnection(ClientWebSocket socket, int maxFrameBytes) : FeedConnection
    {
        private readonly ArrayBufferWriter<byte> buffer = new(16 * 1024);
        private readonly SemaphoreSlim sending = new(1, 1);

        public override ReadOnlyMemory<byte> Frame => buffer.WrittenMemory;

        public override async ValueTask<FrameKind> ReceiveAsync(CancellationToken cancellationToken)
        {
            buffer.ResetWrittenCount();
            var oversized = false;
            while (true)
            {
                var memory = oversized ? buffer.GetMemory(16 * 1024)[..(16 * 1024)] : buffer.GetMemory(4096);
                var result = await socket.ReceiveAsync(memory, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return FrameKind.Closed;
                }

                if (!oversized)
                {
                    buffer.Advance(result.Count);
                    if (buffer.WrittenCount > maxFrameBytes)
                    {
                        oversized = true;
                        buffer.ResetWrittenCount();
                    }
                }

                if (result.EndOfMessage)
                {
                    return oversized ? FrameKind.Oversized : result.MessageType == WebSocketMessageType.Binary ? FrameKind.Binary : FrameKind.Text;
                }
            }
        }

        public override async Task SendAsync(string text, CancellationToken cancellationToken)
        {
            await sending.WaitAsync(cancellationToken);
            try
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, cancellationToken);
            }
            finally
            {
                sending.Release();
            }
        }

        public override async Task CloseAsync(string reason)
        {
            if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
            {
                return;
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, reason, timeout.Token);
            }
            catch (Exception error) when (error is WebSocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The peer is gone already.
            }
        }

        public override ValueTask DisposeAsync()
        {
            socket.Abort();
            socket.Dispose();
            sending.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class LineConnection(TcpClient client, int maxFrameBytes) : FeedConnection
    {
        private readonly NetworkStream stream = client.GetStream();
        private readonly byte[] buffer = new byte[64 * 1024];
        private readonly ArrayBufferWriter<byte> line = new(4096);
        private int start;
        private int end;

        public override ReadOnlyMemory<byte> Frame => line.WrittenMemory;

        public override async ValueTask<FrameKind> ReceiveAsync(CancellationToken cancellationToken)
        {
            line.ResetWrittenCount();
            var oversized = false;
            while (true)
            {
                var newline = Array.IndexOf(buffer, (byte)'\n', start, end - start);
                var upTo = newline >= 0 ? newline : end;
                if (!oversized)
                {
                    line.Write(buffer.AsSpan(start, upTo - start));
                    if (line.WrittenCount > maxFrameBytes)
                    {
                        oversized = true;
                        line.ResetWrittenCount();
                    }
                }

                if (newline >= 0)
                {
                    start = newline + 1;
                    return oversized ? FrameKind.Oversized : FrameKind.Text;
                }

                start = 0;
                end = await stream.ReadAsync(buffer, cancellationToken);
                if (end == 0)
                {
                    return FrameKind.Closed;
                }
            }
        }

        public override Task SendAsync(string text, CancellationToken cancellationToken) =>
            stream.WriteAsync(Encoding.UTF8.GetBytes(text + "\n"), cancellationToken).AsTask();

        public override Task CloseAsync(string reason) => Task.CompletedTask;

        public override ValueTask DisposeAsync()
        {
            client.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
