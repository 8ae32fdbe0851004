using Microsoft.Extensions.Logging;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace PriceActors.Grains.Streams;

/// <summary>
/// Takes the rounds of one tick stream, one at a time and in order, and hands each batch to its pair grain; the round
/// counts as delivered (the stream may forget it) once every pair has stored its trades. A pair that refuses (its store
/// failed) fails the round, and the stream delivers it again: pairs drop the trades they already took, so a trade is
/// never counted twice, and the next round waits, so every pair gets its trades in order.
/// </summary>
[ImplicitStreamSubscription(StreamNames.Ticks)]
public sealed partial class TickRouterGrain(ILogger<TickRouterGrain> logger) : Grain, ITickRouterGrain, IStreamSubscriptionObserver, IAsyncObserver<TickRound>
{
    /// <inheritdoc/>
    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.Create<TickRound>().ResumeAsync(this);

    /// <inheritdoc/>
    public Task OnNextAsync(TickRound item, StreamSequenceToken? token = null)
    {
        var batches = item.Batches;
        if (batches.Length == 1)
        {
            return RecordAsync(batches[0]);
        }

        var recorded = new Task[batches.Length];
        for (var i = 0; i < batches.Length; i++)
        {
            recorded[i] = RecordAsync(batches[i]);
        }

        return Task.WhenAll(recorded);
    }

    /// <inheritdoc/>
    public Task OnCompletedAsync() => Task.CompletedTask;

    /// <inheritdoc/>
    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(ex, this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    private Task RecordAsync(TickBatch batch) => GrainFactory.GetGrain<IPairGrain>(batch.Instrument.Value).RecordTicksAsync(batch);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Tick stream {Stream} reported an error")]
    private partial void LogStreamError(Exception error, string stream);
}
