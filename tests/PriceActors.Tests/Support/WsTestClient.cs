using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace PriceActors.Tests.Support;

/// <summary>A raw WebSocket client of <c>/ws</c> that reads every message into <see cref="Messages"/> (unless told to pause).</summary>
public sealed class WsTestClient : IAsyncDisposable
{
    private readonly ClientWebSocket socket = new();
    private readonly Channel<JsonElement> messages = Channel.CreateUnbounded<JsonElement>();
    private readonly CancellationTokenSource stop = new();
    private readonly SemaphoreSlim reading = new(1, 1);
    private Task reader = Task.CompletedTask;
    private int disposed;

    public ChannelReader<JsonElement> Messages => messages.Reader;

    /// <summary>The close status and reason the server sent, once it closed.</summary>
    public (WebSocketCloseStatus? Status, string? Reason) Closed { get; private set; }

    /// <summary>Completes when the connection ended (closed or aborted).</summary>
    public Task Ended => reader;

    /// <summary>
    /// Connects to <paramref name="address"/> (ws://…) and starts reading; <paramref name="receiveBufferBytes"/> fixes the
    /// socket's receive buffer (no autotuning), so a client that reads slowly pushes back on the server soon.
    /// </summary>
    public static async Task<WsTestClient> ConnectAsync(Uri address, int? receiveBufferBytes = null)
    {
        var client = new WsTestClient();
        if (receiveBufferBytes is { } size)
        {
            using var handler = new SocketsHttpHandler
            {
                ConnectCallback = async (context, cancellationToken) =>
                {
                    var tcp = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { ReceiveBufferSize = size, NoDelay = true };
                    await tcp.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(tcp, ownsSocket: true);
                },
            };
            await client.socket.ConnectAsync(address, new HttpMessageInvoker(handler, disposeHandler: false), CancellationToken.None);
        }
        else
        {
            await client.socket.ConnectAsync(address, CancellationToken.None);
        }

        client.reader = Task.Run(client.ReadAsync);
        return client;
    }

    /// <summary>The ws:// address of a path on an http:// base address.</summary>
    public static Uri AddressOf(Uri baseAddress, string pathAndQuery) =>
        new(new Uri(baseAddress.ToString().Replace("http://", "ws://", StringComparison.Ordinal)), pathAndQuery);

    public Task SendAsync(object message) => SendTextAsync(JsonSerializer.Serialize(message, new JsonSerializerOptions(JsonSerializerDefaults.Web)));

    public Task SendTextAsync(string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);

    /// <summary>Stops reading (the server's messages pile up in the sockets) until <see cref="Resume"/>.</summary>
    public Task PauseAsync() => reading.WaitAsync();

    public void Resume() => reading.Release();

    /// <summary>Slows reading down to one message per <paramref name="delay"/>.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>The next message of <paramref name="type"/>, skipping others.</summary>
    public async Task<JsonElement> NextAsync(string type, TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        while (true)
        {
            var message = await messages.Reader.ReadAsync(deadline.Token);
            if (message.GetProperty("type").GetString() == type)
            {
                return message;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) == 1)
        {
            return;
        }

        await stop.CancelAsync();
        socket.Abort();
        try
        {
            await reader;
        }
        catch (Exception)
        {
            // Ended.
        }

        socket.Dispose();
        stop.Dispose();
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await reading.WaitAsync(stop.Token);
                reading.Release();
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), stop.Token);
                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    Closed = (socket.CloseStatus, socket.CloseStatusDescription);
                    return;
                }

                messages.Writer.TryWrite(JsonDocument.Parse(buffer.AsMemory(0, length)).RootElement.Clone());
                if (Delay > TimeSpan.Zero)
                {
                    await Task.Delay(Delay, stop.Token);
                }
            }
        }
        finally
        {
            messages.Writer.TryComplete();
        }
    }
}
