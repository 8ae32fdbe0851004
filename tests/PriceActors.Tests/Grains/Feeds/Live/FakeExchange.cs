using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PriceActors.Tests.Grains.Feeds.Live;

/// <summary>
/// A local exchange for the live feeds' tests: a Kestrel WebSocket server on loopback (or a TCP listener for NDJSON)
/// that speaks one <see cref="FakeFormat"/>: it answers subscriptions and pings as the exchange does, and the test
/// sends trades in the exchange's format, garbage, or drops the connection. One client connection at a time.
/// </summary>
internal sealed class FakeExchange : IAsyncDisposable
{
    private readonly FakeFormat format;
    private readonly SemaphoreSlim sending = new(1, 1);
    private readonly ConcurrentQueue<string> requests = new();
    private readonly TaskCompletionSource stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? app;
    private TcpListener? listener;
    private Task accepting = Task.CompletedTask;
    private volatile Peer? current;
    private int connections;
    private int subscriptions;
    private int attempts;

    private readonly TimeSpan? pingEvery;

    private FakeExchange(FakeFormat format, TimeSpan? pingEvery)
    {
        this.format = format;
        this.pingEvery = pingEvery;
    }

    /// <summary>ws://127.0.0.1:port (tcp://127.0.0.1:port for NDJSON).</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref connections);

    /// <summary>Subscription requests answered so far.</summary>
    public int Subscriptions => Volatile.Read(ref subscriptions);

    /// <summary>Connection attempts, refused ones included.</summary>
    public int Attempts => Volatile.Read(ref attempts);

    /// <summary>Refuse this many more upgrade requests with HTTP 503.</summary>
    public int RefuseNext { get; set; }

    /// <summary>Every text message a client sent.</summary>
    public IReadOnlyCollection<string> Requests => requests;

    /// <summary>What to send after answering the n-th subscription (1-based): a snapshot, say.</summary>
    public Func<int, IEnumerable<string>> AfterSubscribe { get; set; } = _ => [];

    /// <summary>Starts the exchange; with <paramref name="pingEvery"/> it pings each client (WebSocket ping frames) and drops one that leaves a ping unanswered for three times that.</summary>
    public static async Task<FakeExchange> StartAsync(FakeFormat format, TimeSpan? pingEvery = null)
    {
        var exchange = new FakeExchange(format, pingEvery);
        await exchange.StartAsync();
        return exchange;
    }

    /// <summary>Waits until the n-th subscription was answered and its follow-ups sent.</summary>
    public Task WaitForSubscriptionAsync(int count) =>
        Eventually(() => Subscriptions >= count, $"subscription {count} (connections {Connections}, attempts {Attempts})");

    /// <summary>Sends a text frame (a line for NDJSON) to the connected client.</summary>
    public async Task SendAsync(string text)
    {
        var peer = current ?? throw new InvalidOperationException("No client is connected.");
        await SendAsync(peer, text);
    }

    /// <summary>Sends a binary frame.</summary>
    public async Task SendBinaryAsync(byte[] bytes)
    {
        var peer = current ?? throw new InvalidOperationException("No client is connected.");
        await sending.WaitAsync();
        try
        {
            await peer.Socket!.SendAsync(bytes, WebSocketMessageType.Binary, true, CancellationToken.None);
        }
        finally
        {
            sending.Release();
        }
    }

    /// <summary>Cuts the current connection without a close handshake.</summary>
    public void Drop()
    {
        var peer = current;
        current = null;
        peer?.Abort();
    }

    public async ValueTask DisposeAsync()
    {
        Drop();
        stopped.TrySetResult();
        listener?.Stop();
        await accepting;
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The fake exchange saw no {what} within 20 s.");
            }

            await Task.Delay(10);
        }
    }

    private async Task StartAsync()
    {
        if (format.OverTcp)
        {
            listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            Url = new Uri($"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
            accepting = AcceptTcpAsync();
            return;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        app = builder.Build();
        app.UseWebSockets();
        app.Map("/{**path}", ServeAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        Url = new Uri(address.Replace("http://", "ws://", StringComparison.Ordinal));
    }

    private async Task ServeAsync(HttpContext context)
    {
        Interlocked.Increment(ref attempts);
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (RefuseNext > 0)
        {
            RefuseNext--;
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return;
        }

        using var socket = pingEvery is { } every
            ? await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = every, KeepAliveTimeout = every * 3 })
            : await context.WebSockets.AcceptWebSocketAsync();
        var peer = new Peer(socket, null);
        await RunPeerAsync(peer);
    }

    private async Task AcceptTcpAsync()
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener!.AcceptTcpClientAsync();
            }
            catch (Exception) when (stopped.Task.IsCompleted)
            {
                return;
            }

            Interlocked.Increment(ref attempts);
            _ = RunPeerAsync(new Peer(null, client));
        }
    }

    private async Task RunPeerAsync(Peer peer)
    {
        Drop();
        current = peer;
        Interlocked.Increment(ref connections);
        if (format.OverTcp)
        {
            // NDJSON sources have no subscription: a connection is one.
            await AnsweredAsync(peer, null);
        }

        try
        {
            await foreach (var message in peer.ReceiveAsync())
            {
                requests.Enqueue(message);
                foreach (var reply in format.Answer(message))
                {
                    await SendAsync(peer, reply);
                }

                if (format.IsSubscription(message))
                {
                    await AnsweredAsync(peer, message);
                }
            }
        }
        catch (Exception error) when (error is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away or the test dropped it.
        }
        finally
        {
            if (current == peer)
            {
                current = null;
            }

            peer.Abort();
        }
    }

    private async Task AnsweredAsync(Peer peer, string? request)
    {
        var number = subscriptions + 1;
        foreach (var message in AfterSubscribe(number))
        {
            await SendAsync(peer, message);
        }

        Interlocked.Increment(ref subscriptions);
    }

    private async Task SendAsync(Peer peer, string text)
    {
        await sending.WaitAsync();
        try
        {
            if (peer.Socket is { } socket)
            {
                await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
            }
            else
            {
                await peer.Client!.GetStream().WriteAsync(Encoding.UTF8.GetBytes(text + "\n"));
            }
        }
        finally
        {
            sending.Release();
        }
    }

    private sealed class Peer(WebSocket? socket, TcpClient? client)
    {
        private readonly CancellationTokenSource aborted = new();

        public WebSocket? Socket => socket;

        public TcpClient? Client => client;

        public void Abort()
        {
            aborted.Cancel();
            socket?.Abort();
            client?.Dispose();
        }

        public async IAsyncEnumerable<string> ReceiveAsync()
        {
            if (client is not null)
            {
                using var reader = new StreamReader(client.GetStream());
                while (await reader.ReadLineAsync(aborted.Token) is { } line)
                {
                    yield return line;
                }

                yield break;
            }

            var buffer = new byte[64 * 1024];
            while (true)
            {
                var text = new StringBuilder();
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket!.ReceiveAsync(buffer.AsMemory(), aborted.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        yield break;
                    }

                    text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
                }
                while (!result.EndOfMessage);

                yield return text.ToString();
            }
        }
    }
}
