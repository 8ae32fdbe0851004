using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;

namespace PriceActors.Bench;

/// <summary>
/// One subscriber of the load, as lean as a client can be so the gateway is what is measured: it counts the price
/// messages it receives and parses the trade time of every eighth (for tick → client latency), over SignalR's JSON
/// protocol on a plain WebSocket (the gateway's hub or the naive one), the raw WebSocket, or server-sent events.
/// </summary>
internal sealed class SubscriberClient(SubscriberLoad load, int instrument) : IAsyncDisposable
{
    private const byte RecordSeparator = 0x1E;
    private const int SampleEvery = 8;
    private static readonly byte[] SignalRPrice = "\"priceUpdated\""u8.ToArray();
    private static readonly byte[] WebSocketPrice = "\"price_update\""u8.ToArray();
    private static readonly byte[] SsePrice = "event: price\n"u8.ToArray();
    private static readonly byte[] Timestamp = "\"timestamp\":\""u8.ToArray();
    private readonly CancellationTokenSource closing = new();
    private readonly List<long> latencies = [];
    private ClientWebSocket? socket;
    private HttpResponseMessage? response;
    private Task running = Task.CompletedTask;
    private long count;

    public int Instrument => instrument;

    /// <summary>Price messages received while measuring.</summary>
    public long Count => Interlocked.Read(ref count);

    public Exception? Failure { get; private set; }

    /// <summary>Latencies sampled while measuring, in Stopwatch-free UTC ticks.</summary>
    public IReadOnlyList<long> Latencies => latencies;

    public async Task ConnectAsync(string transport, Uri gateway, string key, HttpClient http, CancellationToken cancellationToken)
    {
        switch (transport)
        {
            case "naive" or "signalr":
                socket = new ClientWebSocket();
                var hub = transport == "naive" ? NaiveGateway.HubPath : "/hubs/prices";
                await socket.ConnectAsync(WebSocketAddress(gateway, hub), cancellationToken);
                await SendAsync("{\"protocol\":\"json\",\"version\":1}\u001e", cancellationToken);
                await SendAsync($"{{\"type\":1,\"target\":\"Subscribe\",\"arguments\":[[\"{key}\"]]}}\u001e", cancellationToken);
                running = Task.Run(() => ReceiveAsync(SignalRPrice, ping: true));
                break;
            case "websocket":
                socket = new ClientWebSocket();
                var parts = key.Split(':');
                await socket.ConnectAsync(WebSocketAddress(gateway, $"/ws/{parts[0]}/{parts[1]}?candleInterval=none"), cancellationToken);
                running = Task.Run(() => ReceiveAsync(WebSocketPrice, ping: false));
                break;
            case "sse":
                var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gateway, $"/prices/stream?instruments={key}&candleInterval=none"));
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                response.EnsureSuccessStatusCode();
                var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                running = Task.Run(() => ReadEventsAsync(body));
                break;
            default:
                throw new ArgumentException($"Unknown transport '{transport}'.", nameof(transport));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await closing.CancelAsync();
        socket?.Abort();
        response?.Dispose();
        await running.ContinueWith(_ => { }, TaskScheduler.Default);
        socket?.Dispose();
        closing.Dispose();
    }

    private static Uri WebSocketAddress(Uri gateway, string pathAndQuery) => new(new Uri(gateway.ToString().Replace("http://", "ws://", StringComparison.Ordinal)), pathAndQuery);

    private Task SendAsync(string text, CancellationToken cancellationToken) =>
        socket!.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);

    private async Task ReceiveAsync(byte[] marker, bool ping)
    {
        var buffer = new byte[8 * 1024];
        var pinged = Environment.TickCount64;
        try
        {
            while (!closing.IsCancellationRequested)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket!.ReceiveAsync(buffer.AsMemory(length), closing.Token);
                    length += result.Count;
                    if (length == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }
                }
                while (!result.EndOfMessage);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    throw new WebSocketException($"closed: {socket.CloseStatus} {socket.CloseStatusDescription}");
                }

                var arrived = DateTime.UtcNow.Ticks;
                Tally(buffer.AsSpan(0, length), marker, arrived);
                if (ping && Environment.TickCount64 - pinged > 10_000)
                {
                    pinged = Environment.TickCount64;
                    await SendAsync("{\"type\":6}\u001e", closing.Token);
                }
            }
        }
        catch (Exception error) when (!closing.IsCancellationRequested)
        {
            Failure = error;
        }
        catch (Exception)
        {
            // Closing.
        }
    }

    private async Task ReadEventsAsync(Stream body)
    {
        var buffer = new byte[8 * 1024];
        var kept = 0;
        try
        {
            while (!closing.IsCancellationRequested)
            {
                var read = await body.ReadAsync(buffer.AsMemory(kept), closing.Token);
                if (read == 0)
                {
                    throw new IOException("the event stream ended");
                }

                var arrived = DateTime.UtcNow.Ticks;
                var data = buffer.AsSpan(0, kept + read);
                var end = data.LastIndexOf("\n\n"u8);
                if (end < 0)
                {
                    kept += read;
                    if (kept == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    continue;
                }

                Tally(data[..(end + 2)], SsePrice, arrived);
                var rest = data[(end + 2)..];
                rest.CopyTo(buffer);
                kept = rest.Length;
            }
        }
        catch (Exception error) when (!closing.IsCancellationRequested)
        {
            Failure = error;
        }
        catch (Exception)
        {
            // Closing.
        }
    }

    /// <summary>Counts the price messages in <paramref name="data"/> and samples the trade time of some.</summary>
    private void Tally(ReadOnlySpan<byte> data, byte[] marker, long arrived)
    {
        if (!load.Measuring)
        {
            return;
        }

        var at = 0;
        int found;
        while ((found = data[at..].IndexOf(marker)) >= 0)
        {
            at += found + marker.Length;
            var n = Interlocked.Increment(ref count);
            if (n % SampleEvery == 0)
            {
                var stamp = data[at..].IndexOf(Timestamp);
                if (stamp >= 0)
                {
                    var text = data[(at + stamp + Timestamp.Length)..];
                    var close = text.IndexOf((byte)'"');
                    if (close > 0 && DateTimeOffset.TryParse(Encoding.ASCII.GetString(text[..close]), CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
                    {
                        lock (latencies)
                        {
                            latencies.Add(arrived - time.UtcTicks);
                        }
                    }
                }
            }
        }
    }

    /// <summary>Forgets what was counted before the measured span.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref count, 0);
        lock (latencies)
        {
            latencies.Clear();
        }
    }
}
