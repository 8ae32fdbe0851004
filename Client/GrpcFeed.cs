using System.Globalization;
using Grpc.Net.Client;
using PriceActors.Grpc;

namespace PriceActors.Client;

/// <summary>The gateway's gRPC stream (<c>priceactors.v1.PriceStream/Subscribe</c>, HTTP/2 without TLS).</summary>
public sealed class GrpcFeed(ClientSettings settings) : IPriceFeed
{
    public async Task RunAsync(IReadOnlyDictionary<string, Client.Position> since, Action<StreamEvent> received, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(settings.GrpcUrl);
        var request = new SubscribeRequest
        {
            Instruments = { settings.Pairs },
            MaxUpdatesPerSecond = settings.MaxRate,
            CandleInterval = settings.Interval,
        };
        request.Since.AddRange(since.Select(p => new Grpc.Position { Instrument = p.Key, Epoch = p.Value.Epoch, Sequence = p.Value.Sequence }));
        using var call = new PriceStream.PriceStreamClient(channel).Subscribe(request, cancellationToken: cancellationToken);
        while (await call.ResponseStream.MoveNext(cancellationToken))
        {
            var message = call.ResponseStream.Current;
            switch (message.KindCase)
            {
                case StreamMessage.KindOneofCase.Price:
                    var p = message.Price;
                    received(new PriceEvent($"{p.Exchange}:{p.Symbol}", Number(p.Price), Number(p.Quantity), p.Timestamp.ToDateTimeOffset(), p.Sequence, p.Epoch, p.FirstSequence, p.Conflated));
                    break;
                case StreamMessage.KindOneofCase.Candle:
                    var c = message.Candle;
                    received(new CandleEvent($"{c.Exchange}:{c.Symbol}", c.Interval, c.OpenTime.ToDateTimeOffset(), Number(c.Open), Number(c.High), Number(c.Low), Number(c.Close), Number(c.Volume), c.Count));
                    break;
                case StreamMessage.KindOneofCase.Reset:
                    var r = message.Reset;
                    received(new ResetEvent($"{r.Exchange}:{r.Symbol}", r.Epoch, r.Reason, r.Message));
                    break;
            }
        }

        throw new IOException("The gateway ended the stream.");
    }

    private static decimal Number(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);
}
