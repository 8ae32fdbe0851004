using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace PriceActors.Bench;

/// <summary>
/// A subscriber of the gateway's price hub over a plain WebSocket, speaking SignalR's JSON protocol (records ended by
/// 0x1E; the .NET SignalR client is not among the central packages): handshake, <c>Subscribe</c>, pings, and each
/// <c>priceUpdated</c> handed to a callback with the time its frame arrived (UTC ticks).
/// </summary>
internal sealed class HubClient : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1E;
    private readonly ClientWebSocket socket = new();
    private readonly Action<HubUpdate> onUpdate;
    private readonly ConcurrentDictionary<string, TaskCompletionSource> pending = new();
    private readonly CancellationTokenSource closing = new();
    private readonly SemaphoreSlim sending = new(1, 1);
    private readonly ArrayBufferWriter<byte> buffer = new(64 * 1024);
    private Task receiving = Task.CompletedTask;
    private Task pinging = Task.CompletedTask;
    private int nextInvocation;

    private HubClient(Action<HubUpdate> onUpdate) => this.onUpdate = onUpdate;

    /// <summary>Updates received that the callback got.</summary>
    public long Updates { get; private set; }

    /// <summary>Why the connection ended before it was disposed, if it did.</summary>
    public Exception? Failure { get; private set; }

    public static async Task<HubClient> ConnectAsync(Uri hub, Action<HubUpdate> onUpdate, CancellationToken cancellationToken)
    {
        var client = new HubClient(onUpdate);
        await client.socket.ConnectAsync(new UriBuilder(hub) { Scheme = hub.Scheme == "https" ? "wss" : "ws" }.Uri, cancellationToken);
        await client.SendAsync("""{"protocol":"json","version":1}""", cancellationToken);
        var handshake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.pending["handshake"] = handshake;
        client.receiving = client.ReceiveAsync();
        await handshake.Task.WaitAsync(TimeSpan.FromSeconds(15), cancellationToken);
        client.pinging = client.PingAsync();
        return client;
    }

    /// <summary>Invokes the hub's <c>Subscribe</c>, at most 1,000 instruments per call as the hub allows.</summary>
    public async Task SubscribeAsync(IReadOnlyList<string> instruments, CancellationToken cancellationToken)
    {
        foreach (var chunk in instruments.Chunk(1000))
        {
            var id = Interlocked.Increment(ref nextInvocation).ToString(CultureInfo.InvariantCulture);
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            pending[id] = done;
            await SendAsync(JsonSerializer.Serialize(new { type = 1, invocationId = id, target = "Subscribe", arguments = new object[] { chunk } }), cancellationToken);
            await done.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await closing.CancelAsync();
        try
        {
            if (socket.State == WebSocketState.Open)
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
        }
        catch (Exception error) when (error is WebSocketException or OperationCanceledException)
        {
            // The gateway may be gone already.
        }

        await Task.WhenAll(receiving, pinging).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        socket.Dispose();
        closing.Dispose();
        sending.Dispose();
    }

    private async Task SendAsync(string json, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(json + (char)RecordSeparator);
        await sending.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            sending.Release();
        }
    }

    private async Task ReceiveAsync()
    {
        try
        {
            while (!closing.IsCancellationRequested)
            {
                var result = await socket.ReceiveAsync(buffer.GetMemory(16 * 1024), closing.Token);
                var arrived = DateTimeOffset.UtcNow.UtcTicks;
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new WebSocketException($"The gateway closed the hub connection: {socket.CloseStatus} {socket.CloseStatusDescription}");
                }

                buffer.Advance(result.Count);
                Dispatch(arrived);
            }
        }
        catch (Exception error)
        {
            Failure = closing.IsCancellationRequested ? null : error;
            foreach (var waiting in pending.Values)
            {
                waiting.TrySetException(error);
            }
        }
    }

    /// <summary>Handles the complete records in the buffer and keeps the incomplete rest.</summary>
    private void Dispatch(long arrived)
    {
        var data = buffer.WrittenMemory;
        var handled = 0;
        int end;
        while ((end = data.Span[handled..].IndexOf(RecordSeparator)) >= 0)
        {
            Handle(data.Slice(handled, end), arrived);
            handled += end + 1;
        }

        var rest = data.Span[handled..].ToArray();
        buffer.ResetWrittenCount();
        buffer.Write(rest);
    }

    private void Handle(ReadOnlyMemory<byte> record, long arrived)
    {
        using var document = JsonDocument.Parse(record);
        var root = document.RootElement;
        if (!root.TryGetProperty("type", out var type))
        {
            // The handshake's answer: {} or {"error": ...}.
            var handshake = pending.TryRemove("handshake", out var h) ? h : null;
            if (root.TryGetProperty("error", out var refused))
            {
                handshake?.TrySetException(new InvalidOperationException($"Handshake refused: {refused.GetString()}"));
            }
            else
            {
                handshake?.TrySetResult();
            }

            return;
        }

        switch (type.GetInt32())
        {
            case 1 when root.GetProperty("target").GetString() == "priceUpdated":
                var update = root.GetProperty("arguments")[0];
                Updates++;
                onUpdate(new HubUpdate(
                    update.GetProperty("exchange").GetString()!,
                    update.GetProperty("symbol").GetString()!,
                    update.GetProperty("sequence").GetInt64(),
                    update.GetProperty("timestamp").GetDateTimeOffset().UtcTicks,
                    arrived));
                break;
            case 3 when pending.TryRemove(root.GetProperty("invocationId").GetString()!, out var completion):
                if (root.TryGetProperty("error", out var error))
                {
                    completion.TrySetException(new InvalidOperationException($"The hub refused: {error.GetString()}"));
                }
                else
                {
                    completion.TrySetResult();
                }

                break;
            case 7:
                throw new WebSocketException($"The gateway closed the hub: {root.GetRawText()}");
        }
    }

    private async Task PingAsync()
    {
        try
        {
            while (!closing.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), closing.Token);
                await SendAsync("""{"type":6}""", closing.Token);
            }
        }
        catch (Exception error) when (error is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // Closing.
        }
    }
}
