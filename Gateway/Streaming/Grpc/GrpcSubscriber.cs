using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Wire = PriceActors.Grpc;

namespace PriceActors.Gateway.Streaming.Grpc;

/// <summary>A gRPC <c>Subscribe</c> call: writes <see cref="Wire.StreamMessage"/>s to its response stream.</summary>
internal sealed class GrpcSubscriber(
    IServerStreamWriter<Wire.StreamMessage> responses,
    ServerCallContext call,
    StreamingOptions options,
    TimeProvider time,
    ILogger<GrpcSubscriber> logger) : StreamSubscriber("grpc", options, time, logger)
{
    protected override async ValueTask WriteAsync(IReadOnlyList<Outbound> batch, CancellationToken cancellationToken)
    {
        foreach (var message in batch)
        {
            if (ToMessage(message) is { } wire)
            {
                await responses.WriteAsync(wire, cancellationToken);
                Progressed();
            }
        }
    }

    protected override void Close(string reason) => call.GetHttpContext().Abort();

    private static Wire.StreamMessage? ToMessage(Outbound message) => message switch
    {
        PriceOut { Wire: var p } => new Wire.StreamMessage
        {
            Price = new Wire.PriceUpdate
            {
                Exchange = p.Exchange,
                Symbol = p.Symbol,
                Price = Text(p.Price),
                Quantity = Text(p.Quantity),
                Timestamp = Timestamp.FromDateTimeOffset(p.Timestamp),
                Sequence = p.Sequence,
                Epoch = p.Epoch,
                FirstSequence = p.FirstSequence,
                Conflated = p.Conflated,
            },
        },
        BarOut { Bar: var b } => new Wire.StreamMessage
        {
            Bar = new Wire.MinuteBar
            {
                Exchange = b.Exchange,
                Symbol = b.Symbol,
                Minute = Timestamp.FromDateTimeOffset(b.Minute),
                Open = Text(b.Open),
                High = Text(b.High),
                Low = Text(b.Low),
                Close = Text(b.Close),
                Average = Text(b.Average),
                Vwap = Text(b.Vwap),
                Count = b.Count,
                Volume = Text(b.Volume),
            },
        },
        ResetOut { Reset: var r } => new Wire.StreamMessage
        {
            Reset = new Wire.StreamReset { Exchange = r.Exchange, Symbol = r.Symbol, Epoch = r.Epoch, Reason = r.Reason, Message = r.Message },
        },
        CandleOut { Closed: var c } => new Wire.StreamMessage
        {
            Candle = new Wire.Candle
            {
                Exchange = c.Exchange,
                Symbol = c.Symbol,
                Interval = c.Interval,
                OpenTime = Timestamp.FromDateTimeOffset(c.OpenTime),
                CloseTime = Timestamp.FromDateTimeOffset(c.CloseTime),
                Open = Text(c.Open),
                High = Text(c.High),
                Low = Text(c.Low),
                Close = Text(c.Close),
                Volume = Text(c.Volume),
                Count = c.Count,
            },
        },
        _ => null,
    };

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
