using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace PriceActors.Tests.Support;

/// <summary>
/// A minimal client of the SignalR JSON hub protocol over <see cref="ClientWebSocket"/> (the .NET
/// SignalR client does not restore here): handshake, invocations with completions, server-to-client
/// invocations, pings. Records are JSON texts ended by 0x1E.
/// </summary>
public sealed class SignalRJsonClient : IAsyncDisposable
{
    private const char RecordSeparator = '\u001e';
    private readonly ClientWebSocket socket = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> pending = new();
    private readonly Channel<HubMessage> messages = Channel.CreateUnbounded<HubMessage>();
    private readonly CancellationTokenSource closing = new();
    private readonly SemaphoreSlim sendLock = new(1, 1);
    private Task receiving = Task.CompletedTask;
    private Task pinging = Task.CompletedTask;
    private int nextInvocationId;

    private SignalRJsonClient()
    {
    }

    /// <summary>Server-to-client invocations, in arrival order.</summary>
    public ChannelReader<HubMessage> Messages => messages.Reader;

    public static async Task<SignalRJsonClient> ConnectAsync(Uri hubAddress, CancellationToken cancellationToken = default)
    {
        var client = new SignalRJsonClient();
        var uri = new UriBuilder(hubAddress) { Scheme = hubAddress.Scheme == "https" ? "wss" : "ws" }.Uri;
        await client.socket.ConnectAsync(uri, cancellationToken);
        await client.SendRecordAsync("{\"protocol\":\"json\",\"version\":1}", cancellationToken);
        var handshake = new StringBuilder();
        var records = await client.ReadRecordsAsync(handshake, cancellationToken);
        using (var reply = JsonDocument.Parse(records[0]))
        {
            if (reply.RootElement.TryGetProperty("error", out var error))
            {
                throw new InvalidOperationException($"Handshake refused: {error.GetString()}");
            }
        }

        foreach (var early in records.Skip(1))
        {
            client.Dispatch(early);
        }

        client.receiving = client.ReceiveLoopAsync(handshake);
        client.pinging = client.PingLoopAsync();
        return client;
    }

    /// <summary>Invokes the hub's <c>Subscribe(string[])</c>.</summary>
    public Task<JsonElement> SubscribeAsync(params string[] instruments) => InvokeAsync("Subscribe", [instruments]);

    /// <summary>Invokes the hub's <c>Unsubscribe(string[])</c>.</summary>
    public Task<JsonElement> UnsubscribeAsync(params string[] instruments) => InvokeAsync("Unsubscribe", [instruments]);

    /// <summary>Invokes a hub method and returns its result; a hub error throws <see cref="HubErrorException"/>.</summary>
    public async Task<JsonElement> InvokeAsync(string target, params object[] arguments)
    {
        var id = Interlocked.Increment(ref nextInvocationId).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var completion = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[id] = completion;
        var json = JsonSerializer.Serialize(new { type = 1, invocationId = id, target, arguments });
        await SendRecordAsync(json, CancellationToken.None);
        return await completion.Task.WaitAsync(TimeSpan.FromSeconds(15));
    }

    /// <summary>Reads the next server invocation of <paramref name="target"/>, skipping others, within the timeout.</summary>
    public async Task<JsonElement> NextAsync(string target, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            var message = await messages.Reader.ReadAsync(cts.Token);
            if (message.Target == target)
            {
                return message.Argument;
            }
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
            // The server may already be gone.
        }

        await Task.WhenAll(receiving, pinging).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        socket.Dispose();
        closing.Dispose();
        sendLock.Dispose();
    }

    private async Task SendRecordAsync(string json, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(json + RecordSeparator);
        await sendLock.WaitAsync(cancellationToken);
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            sendLock.Release();
        }
    }

    private async Task<List<string>> ReadRecordsAsync(StringBuilder buffer, CancellationToken cancellationToken)
    {
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var result = await socket.ReceiveAsync(chunk, cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new WebSocketException($"Server closed the connection: {result.CloseStatus} {result.CloseStatusDescription}");
            }

            buffer.Append(Encoding.UTF8.GetString(chunk, 0, result.Count));
            var text = buffer.ToString();
            var last = text.LastIndexOf(RecordSeparator);
            if (last >= 0)
            {
                buffer.Clear().Append(text.AsSpan(last + 1));
                return [.. text[..last].Split(RecordSeparator)];
            }
        }
    }

    private async Task ReceiveLoopAsync(StringBuilder buffer)
    {
        try
        {
            while (!closing.IsCancellationRequested)
            {
                foreach (var record in await ReadRecordsAsync(buffer, closing.Token))
                {
                    Dispatch(record);
                }
            }
        }
        catch (Exception error)
        {
            messages.Writer.TryComplete(closing.IsCancellationRequested ? null : error);
            foreach (var waiting in pending.Values)
            {
                waiting.TrySetException(error);
            }
        }
    }

    private void Dispatch(string record)
    {
        using var document = JsonDocument.Parse(record);
        var root = document.RootElement;
        switch (root.GetProperty("type").GetInt32())
        {
            case 1:
                var argument = root.GetProperty("arguments")[0].Clone();
                messages.Writer.TryWrite(new HubMessage(root.GetProperty("target").GetString()!, argument));
                break;
            case 3 when pending.TryRemove(root.GetProperty("invocationId").GetString()!, out var completion):
                if (root.TryGetProperty("error", out var error))
                {
                    completion.TrySetException(new HubErrorException(error.GetString()!));
                }
                else
                {
                    completion.TrySetResult(root.TryGetProperty("result", out var result) ? result.Clone() : default);
                }

                break;
            case 7:
                messages.Writer.TryComplete(new WebSocketException($"Server closed the hub: {record}"));
                break;
        }
    }

    private async Task PingLoopAsync()
    {
        try
        {
            while (!closing.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(10), closing.Token);
                await SendRecordAsync("{\"type\":6}", closing.Token);
            }
        }
        catch (Exception error) when (error is OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
            // Closing.
        }
    }
}

/// <summary>A server-to-client invocation: the target method and its single argument.</summary>
public sealed record HubMessage(string Target, JsonElement Argument);

/// <summary>The hub answered an invocation with an error.</summary>
public sealed class HubErrorException(string message) : Exception(message);
