using Grpc.Core;
using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Instruments;
using PriceActors.Grpc;

namespace PriceActors.Gateway.Streaming.Grpc;

/// <summary>
/// The gRPC <c>priceactors.v1.PriceStream</c> service (<c>protos/prices.proto</c>). Thin: it validates the request and
/// delegates to the <see cref="PriceBroadcaster"/>, as the hub, the WebSocket and the event stream do.
/// </summary>
internal sealed class PriceStreamService(
    PriceBroadcaster broadcaster,
    IInstrumentCatalog catalog,
    IOptions<StreamingOptions> options,
    TimeProvider time,
    ILoggerFactory loggers) : PriceStream.PriceStreamBase
{
    public override async Task Subscribe(SubscribeRequest request, IServerStreamWriter<StreamMessage> responseStream, ServerCallContext context)
    {
        var settings = options.Value;
        if (!SubscriptionRules.TryResolve(request.Instruments, catalog, settings.MaxInstrumentsPerConnection, out var keys, out var error, out var unknown))
        {
            throw new RpcException(new Status(unknown ? StatusCode.NotFound : StatusCode.InvalidArgument, error));
        }

        var since = request.Since.ToDictionary(p => p.Instrument, p => new StreamPosition(p.Epoch, p.Sequence));
        if (since.Count != request.Since.Count)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "'since' names an instrument twice."));
        }

        if (!SubscriptionRules.TryResolvePositions(since, keys, out var positions, out error)
            || !SubscriptionRules.TryRate(request.MaxUpdatesPerSecond, out error)
            || !SubscriptionRules.TryCandleInterval(request.CandleInterval, TimeSpan.Zero, out var candles, out error))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, error));
        }

        await using var subscriber = new GrpcSubscriber(responseStream, context, settings, time, loggers.CreateLogger<GrpcSubscriber>());
        subscriber.Start();
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, subscriber.Stopped);
        try
        {
            await broadcaster.SubscribeAsync(subscriber, keys, positions, new SubscriptionOptions(request.MaxUpdatesPerSecond, candles), ended.Token);
            await Task.Delay(Timeout.Infinite, ended.Token);
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            // The client cancelled, or was disconnected.
        }
        finally
        {
            await broadcaster.DisconnectAsync(subscriber);
        }

        if (subscriber.DisconnectReason is { } reason)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, reason));
        }
    }
}
