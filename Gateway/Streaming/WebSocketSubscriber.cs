using System.Buffers;
using System.Net.WebSockets;

namespace PriceActors.Gateway.Streaming;

/// <summary>
/// A raw WebSocket connection at <c>/ws</c>: each message is one text frame,
/// <c>{"type":"price_update","data":…}</c>, <c>bar_closed</c>, <c>candle_closed</c>, <c>reset</c>, or a reply to the client
/// (<c>subscribed</c>, <c>unsubscribed</c>, <c>error</c>, <c>pong</c>). Replies go through the same queue as updates,
/// since a WebSocket takes one send at a time.
/// </summary>
internal sealed class WebSocketSubscriber(WebSocket socket, StreamingOptions options, TimeProvider time, ILogger<WebSocketSubscriber> logger)
    : StreamSubscriber("websocket", options, time, logger)
{
    private static readonly byte[] PriceHead = "{\"type\":\"price_update\",\"data\":"u8.ToArray();
    private static readonly byte[] BarHead = "{\"type\":\"bar_closed\",\"data\":"u8.ToArray();
    private static readonly byte[] ResetHead = "{\"type\":\"reset\",\"data\":"u8.ToArray();
    private static readonly byte[] CandleHead = "{\"type\":\"candle_closed\",\"data\":"u8.ToArray();
    private readonly ArrayBufferWriter<byte> frame = new(512);

    protected override async ValueTask WriteAsync(IReadOnlyList<Outbound> batch, CancellationToken cancellationToken)
    {
        foreach (var message in batch)
        {
            var head = message switch
            {
                PriceOut => PriceHead,
                BarOut => BarHead,
                ResetOut => ResetHead,
                CandleOut => CandleHead,
                _ => null,
            };

            ReadOnlyMemory<byte> payload;
            if (head is not null)
            {
                frame.ResetWrittenCount();
                frame.Write(head);
                frame.Write(message.Utf8Json.Span);
                frame.Write("}"u8);
                payload = frame.WrittenMemory;
            }
            else if (message is ReplyOut)
            {
                payload = message.Utf8Json;
            }
            else
            {
                continue;
            }

            await socket.SendAsync(payload, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            Progressed();
        }
    }

    protected override void Close(string reason) => socket.Abort();
}

/// <summary>A reply to a WebSocket client's message, sent as it is.</summary>
/// <param name="reply">The reply, e.g. <c>{ type = "error", message = "…" }</c>.</param>
internal sealed class ReplyOut(object reply) : Outbound
{
    /// <inheritdoc/>
    public override object Payload => reply;
}
