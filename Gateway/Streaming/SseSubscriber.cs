using System.Buffers;
using System.Text;
using PriceActors.Grains;

namespace PriceActors.Gateway.Streaming;

/// <summary>
/// A server-sent event stream: <c>event: price</c> with an <c>id:</c> holding the position of every instrument of the
/// stream (<see cref="SsePositions"/>), <c>event: bar</c>, <c>event: candle</c>, <c>event: reset</c>, and a comment as keep-alive.
/// </summary>
internal sealed class SseSubscriber : StreamSubscriber
{
    private static readonly byte[] PriceHead = "event: price\nid: "u8.ToArray();
    private static readonly byte[] BarHead = "event: bar\ndata: "u8.ToArray();
    private static readonly byte[] ResetHead = "event: reset\ndata: "u8.ToArray();
    private static readonly byte[] CandleHead = "event: candle\ndata: "u8.ToArray();
    private static readonly byte[] KeepAliveComment = ": keep-alive\n\n"u8.ToArray();
    /// <summary>Events written between flushes, so a slow reader's progress is seen between them.</summary>
    private const int FlushEvery = 32;

    private readonly HttpContext context;
    private readonly Dictionary<InstrumentKey, int> indexes;
    private readonly StreamPosition?[] positions;

    public SseSubscriber(HttpContext context, IReadOnlyList<InstrumentKey> instruments, StreamPosition?[] start, StreamingOptions options, TimeProvider time, ILogger<SseSubscriber> logger)
        : base("sse", options, time, logger)
    {
        this.context = context;
        indexes = instruments.Select((key, i) => (key, i)).ToDictionary(p => p.key, p => p.i);
        positions = start;
    }

    protected override async ValueTask WriteAsync(IReadOnlyList<Outbound> batch, CancellationToken cancellationToken)
    {
        var body = context.Response.BodyWriter;
        var unflushed = 0;
        foreach (var message in batch)
        {
            if (++unflushed == FlushEvery)
            {
                await body.FlushAsync(cancellationToken);
                Progressed();
                unflushed = 0;
            }

            switch (message)
            {
                case PriceOut price:
                    positions[indexes[price.Instrument]] = new StreamPosition(price.Update.Epoch, price.Update.Sequence);
                    body.Write(PriceHead);
                    body.Write(Encoding.ASCII.GetBytes(SsePositions.Format(positions)));
                    body.Write("\ndata: "u8);
                    body.Write(price.Utf8Json.Span);
                    body.Write("\n\n"u8);
                    break;
                case BarOut:
                    Write(body, BarHead, message);
                    break;
                case ResetOut:
                    Write(body, ResetHead, message);
                    break;
                case CandleOut:
                    Write(body, CandleHead, message);
                    break;
                case KeepAliveOut:
                    body.Write(KeepAliveComment);
                    break;
            }
        }

        await body.FlushAsync(cancellationToken);
    }

    protected override void Close(string reason) => context.Abort();

    private static void Write(System.IO.Pipelines.PipeWriter body, byte[] head, Outbound message)
    {
        body.Write(head);
        body.Write(message.Utf8Json.Span);
        body.Write("\n\n"u8);
    }
}

/// <summary>Keeps an idle event stream (and the proxies on its way) from timing out.</summary>
internal sealed class KeepAliveOut : Outbound
{
    public static readonly KeepAliveOut Instance = new();

    /// <inheritdoc/>
    public override object Payload => string.Empty;
}
