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

    /// <summary>Opens a WebSocket (ws://, wss://) or a TCP line connection (tcp://) to <paramref name="endpoint"/>.</summary>
    public static async Task<FeedConnection> OpenAsync(Uri endpoint, IWebProxy? proxy, int maxFrameBytes, CancellationToken cancellationToken)
    {
        if (endpoint.Scheme == "tcp")
        {
            var client = new TcpClient { NoDelay = true };
            try
            {
                await client.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken);
                return new LineConnection(client, maxFrameBytes);
            }
            catch
            {
                client.Dispose();
                throw;
            }
        }

        var socket = new ClientWebSocket();
        socket.Options.Proxy = proxy;
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
