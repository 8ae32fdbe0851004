using Orleans.Streams;
using PriceActors.Grains;
using PriceActors.Grains.Streams;

namespace PriceActors.Gateway.Streaming;

/// <summary>
/// The update streams of the pair grains, read through this process's Orleans client: a subscription holds one
/// Orleans stream subscription per instrument added (the broadcaster adds each instrument once, however many of
/// its connections want it).
/// </summary>
internal sealed partial class OrleansUpdateSource(IClusterClient client, ILogger<OrleansUpdateSource> logger) : IUpdateSource
{
    public IUpdateSubscription Subscribe(IUpdateObserver observer) =>
        new Subscription(client.GetStreamProvider(StreamNames.UpdateProvider), observer, this);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "The update stream of {Instrument} failed")]
    private partial void LogStreamError(Exception error, string instrument);

    private sealed class Subscription(IStreamProvider provider, IUpdateObserver observer, OrleansUpdateSource source) : IUpdateSubscription
    {
        private readonly Dictionary<InstrumentKey, StreamSubscriptionHandle<IPairUpdate>> handles = [];
        private readonly SemaphoreSlim gate = new(1, 1);

        public async ValueTask AddAsync(InstrumentKey instrument)
        {
            await gate.WaitAsync();
            try
            {
                if (handles.ContainsKey(instrument))
                {
                    return;
                }

                var stream = provider.GetStream<IPairUpdate>(StreamNames.UpdatesOf(instrument));
                handles[instrument] = await stream.SubscribeAsync(new Relay(instrument, observer, source));
            }
            finally
            {
                gate.Release();
            }
        }

        public async ValueTask RemoveAsync(InstrumentKey instrument)
        {
            await gate.WaitAsync();
            try
            {
                if (handles.Remove(instrument, out var handle))
                {
                    await handle.UnsubscribeAsync();
                }
            }
            finally
            {
                gate.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            await gate.WaitAsync();
            try
            {
                foreach (var (instrument, handle) in handles)
                {
                    try
                    {
                        await handle.UnsubscribeAsync();
                    }
                    catch (Exception error) when (error is not OutOfMemoryException)
                    {
                        source.LogStreamError(error, instrument.Value);
                    }
                }

                handles.Clear();
            }
            finally
            {
                gate.Release();
            }
        }
    }

    private sealed class Relay(InstrumentKey instrument, IUpdateObserver observer, OrleansUpdateSource source) : IAsyncObserver<IPairUpdate>
    {
        public Task OnNextAsync(IPairUpdate item, StreamSequenceToken? token = null)
        {
            switch (item)
            {
                case PriceUpdated update:
                    if (GatewayMetrics.UpdateAge.Enabled)
                    {
                        GatewayMetrics.UpdateAge.Record((DateTimeOffset.UtcNow - update.Timestamp).TotalMilliseconds);
                    }

                    observer.OnPriceUpdated(update);
                    break;
                case MinuteBarClosed closed:
                    observer.OnMinuteBarClosed(closed);
                    break;
            }

            return Task.CompletedTask;
        }

        public Task OnCompletedAsync() => Task.CompletedTask;

        public Task OnErrorAsync(Exception ex)
        {
            source.LogStreamError(ex, instrument.Value);
            return Task.CompletedTask;
        }
    }
}
