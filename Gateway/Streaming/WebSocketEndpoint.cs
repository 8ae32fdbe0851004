using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.Options;
using PriceActors.Gateway.Api;
using PriceActors.Gateway.Hosting;
using PriceActors.Grains;
using PriceActors.Grains.Instruments;

namespace PriceActors.Gateway.Streaming;

/// <summary>
/// The raw WebSocket at <c>/ws</c> (and <c>/ws/{exchange}/{symbol}</c>, subscribed at once). The client sends
/// <c>{"op":"subscribe","instruments":[…],"since":{…},"maxUpdatesPerSecond":N,"candleInterval":"5s"}</c>, <c>unsubscribe</c> or
/// <c>ping</c>.
/// An unknown instrument closes the connection with 4004 and the reason; a malformed or oversized message gets an
/// <c>error</c> frame, and after <see cref="StreamingOptions.MaxClientErrors"/> of them the connection is closed
/// (1008, or 1009 for size).
/// </summary>
internal sealed partial class WebSocketEndpoint(
    PriceBroadcaster broadcaster,
    IInstrumentCatalog catalog,
    IOptions<StreamingOptions> streaming,
    IOptions<ApiLimitsOptions> limits,
    TimeProvider time,
    ILoggerFactory loggers)
{
    /// <summary>The close code for an unknown instrument.</summary>
    public const WebSocketCloseStatus UnknownInstrument = (WebSocketCloseStatus)4004;

    private readonly ILogger logger = loggers.CreateLogger<WebSocketEndpoint>();

    private PriceBroadcaster Broadcaster => broadcaster;

    private IInstrumentCatalog Catalog => catalog;

    private StreamingOptions Settings => streaming.Value;

    private int MaxMessageBytes => limits.Value.MaxRequestBytes;

    public async Task HandleAsync(HttpContext context, string? exchange, string? symbol)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            await Problems.BadRequest("Connect with a WebSocket upgrade request.").ExecuteAsync(context);
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext { KeepAliveInterval = streaming.Value.KeepAlive });
        await using var subscriber = new WebSocketSubscriber(socket, streaming.Value, time, loggers.CreateLogger<WebSocketSubscriber>());
        subscriber.Start();
        var session = new Session(this, socket, subscriber, context.RequestAborted);
        try
        {
            if (exchange is not null && symbol is not null)
            {
                await session.SubscribeAsync(new ClientMessage("subscribe", [$"{exchange}:{symbol}"], null, null, context.Request.Query["candleInterval"].FirstOrDefault()));
            }

            await session.ReadAsync();
        }
        catch (Exception error) when (error is WebSocketException or OperationCanceledException)
        {
            // The client went away.
        }
        finally
        {
            await broadcaster.DisconnectAsync(subscriber);
        }
    }

    [LoggerMessage(EventId = 4020, Level = LogLevel.Information, Message = "Closing a WebSocket ({Status}): {Reason}")]
    private partial void LogClosing(int status, string reason);

    /// <summary>What a client sends.</summary>
    private sealed record ClientMessage(string? Op, string[]? Instruments, Dictionary<string, StreamPosition>? Since, double? MaxUpdatesPerSecond, string? CandleInterval = null);

    private sealed class Session(WebSocketEndpoint endpoint, WebSocket socket, WebSocketSubscriber subscriber, CancellationToken aborted)
    {
        private byte[] buffer = new byte[1024];
        private int errors;
        private bool closing;

        public async Task ReadAsync()
        {
            var max = endpoint.MaxMessageBytes;
            using var stopped = CancellationTokenSource.CreateLinkedTokenSource(aborted, subscriber.Stopped);
            while (!closing && socket.State == WebSocketState.Open)
            {
                var (length, oversized, type) = await ReceiveAsync(max, stopped.Token);
                if (type == WebSocketMessageType.Close)
                {
                    await CloseAsync(WebSocketCloseStatus.NormalClosure, "closed by the client");
                    return;
                }

                if (oversized)
                {
                    await RefuseAsync($"A message may be at most {max} bytes.", WebSocketCloseStatus.MessageTooBig);
                    continue;
                }

                if (type == WebSocketMessageType.Binary)
                {
                    await RefuseAsync("Send JSON text messages, not binary ones.", WebSocketCloseStatus.PolicyViolation);
                    continue;
                }

                ClientMessage? message;
                try
                {
                    message = JsonSerializer.Deserialize<ClientMessage>(buffer.AsSpan(0, length), Outbound.Json);
                }
                catch (JsonException error)
                {
                    await RefuseAsync($"Not a valid message: {error.Message}", WebSocketCloseStatus.PolicyViolation);
                    continue;
                }

                await HandleAsync(message);
            }
        }

        public async Task SubscribeAsync(ClientMessage message)
        {
            var settings = endpoint.Settings;
            if (!SubscriptionRules.TryResolve(message.Instruments, endpoint.Catalog, settings.MaxInstrumentsPerConnection, out var keys, out var error, out var unknown))
            {
                if (unknown)
                {
                    await CloseAsync(UnknownInstrument, error);
                }
                else
                {
                    await RefuseAsync(error, WebSocketCloseStatus.PolicyViolation);
                }

                return;
            }

            if (subscriber.Instruments.Count + keys.Count > settings.MaxInstrumentsPerConnection)
            {
                await RefuseAsync($"At most {settings.MaxInstrumentsPerConnection} instruments per connection.", WebSocketCloseStatus.PolicyViolation);
                return;
            }

            if (!SubscriptionRules.TryResolvePositions(message.Since, keys, out var since, out error))
            {
                await RefuseAsync(error, WebSocketCloseStatus.PolicyViolation);
                return;
            }

            if (!new SubscriptionRequest(message.Instruments, message.Since, message.MaxUpdatesPerSecond, message.CandleInterval).TryOptions(out var options, out error))
            {
                await RefuseAsync(error, WebSocketCloseStatus.PolicyViolation);
                return;
            }

            await endpoint.Broadcaster.SubscribeAsync(subscriber, keys, since, options, aborted);
            Reply(new { type = "subscribed", instruments = keys.Select(k => k.Value) });
        }

        private async Task HandleAsync(ClientMessage? message)
        {
            switch (message?.Op)
            {
                case "subscribe":
                    await SubscribeAsync(message);
                    break;
                case "unsubscribe":
                    if (!SubscriptionRules.TryResolve(message.Instruments, endpoint.Catalog, endpoint.Settings.MaxInstrumentsPerConnection, out var keys, out var error, out var unknown))
                    {
                        await (unknown ? CloseAsync(UnknownInstrument, error) : RefuseAsync(error, WebSocketCloseStatus.PolicyViolation));
                        break;
                    }

                    await endpoint.Broadcaster.UnsubscribeAsync(subscriber, keys);
                    Reply(new { type = "unsubscribed", instruments = keys.Select(k => k.Value) });
                    break;
                case "ping":
                    Reply(new { type = "pong" });
                    break;
                default:
                    await RefuseAsync($"Unknown op '{message?.Op}': send subscribe, unsubscribe or ping.", WebSocketCloseStatus.PolicyViolation);
                    break;
            }
        }

        private void Reply(object reply)
        {
            if (!subscriber.Queue.Enqueue(new ReplyOut(reply)))
            {
                subscriber.Disconnect("slow consumer: its outbound queue is full");
            }
        }

        /// <summary>Answers a bad message with an error frame; past the limit, closes with <paramref name="status"/>.</summary>
        private async Task RefuseAsync(string error, WebSocketCloseStatus status)
        {
            if (++errors >= endpoint.Settings.MaxClientErrors)
            {
                await CloseAsync(status, $"{errors} bad messages; the last: {error}");
                return;
            }

            Reply(new { type = "error", message = error });
        }

        /// <summary>Sends what is queued, then a close frame with the reason (cut to the 123 bytes a close frame carries).</summary>
        private async Task CloseAsync(WebSocketCloseStatus status, string reason)
        {
            closing = true;
            endpoint.LogClosing((int)status, reason);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await subscriber.FlushAsync(deadline.Token);
                await subscriber.DisposeAsync();
                await socket.CloseOutputAsync(status, Truncate(reason), deadline.Token);

                // The client answers with its close frame; what it sent before that is dropped.
                var drain = new byte[1024];
                while (socket.State == WebSocketState.CloseSent && (await socket.ReceiveAsync(drain, deadline.Token)).MessageType != WebSocketMessageType.Close)
                {
                }
            }
            catch (Exception error) when (error is WebSocketException or OperationCanceledException)
            {
                socket.Abort();
            }
        }

        /// <summary>
        /// Reads one message into <see cref="buffer"/>, which starts small and grows up to the limit: idle connections
        /// hold a kilobyte, not the largest message allowed. A longer message is read to its end and reported oversized.
        /// </summary>
        private async Task<(int Length, bool Oversized, WebSocketMessageType Type)> ReceiveAsync(int max, CancellationToken cancellationToken)
        {
            var length = 0;
            var oversized = false;
            while (true)
            {
                if (length == buffer.Length && !oversized)
                {
                    if (buffer.Length >= max)
                    {
                        oversized = true;
                    }
                    else
                    {
                        Array.Resize(ref buffer, Math.Min(max, buffer.Length * 4));
                    }
                }

                var space = oversized ? buffer.AsMemory() : buffer.AsMemory(length);
                var result = await socket.ReceiveAsync(space, cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return (0, false, result.MessageType);
                }

                if (!oversized)
                {
                    length += result.Count;
                }

                if (result.EndOfMessage)
                {
                    return (length, oversized, result.MessageType);
                }
            }
        }

        private static string Truncate(string reason)
        {
            if (System.Text.Encoding.UTF8.GetByteCount(reason) <= 123)
            {
                return reason;
            }

            var cut = reason[..Math.Min(reason.Length, 120)];
            while (System.Text.Encoding.UTF8.GetByteCount(cut) > 120)
            {
                cut = cut[..^1];
            }

            return cut + "...";
        }
    }
}
