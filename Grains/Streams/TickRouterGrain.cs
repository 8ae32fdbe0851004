using Microsoft.Extensions.Logging;
using Orleans.Placement;
using Orleans.Streams;
using Orleans.Streams.Core;

namespace PriceActors.Grains.Streams;

/// <summary>
/// Takes the rounds of one tick stream in order and hands each pair its trades; a delivery counts as done (the stream
/// may forget it) once every pair has stored them. The stream delivers the rounds that queued up since the last
/// delivery together (up to the pulling agent's <c>BatchContainerBatchSize</c>), and each pair gets the trades of all
/// of them in one call, so a stream that fell behind catches up in a few calls rather than one round at a time. A pair
/// that refuses (its store failed) fails the delivery, and the stream delivers it again: pairs drop the trades they
/// already took, so a trade is never counted twice, and the next delivery waits, so every pair gets its trades in order.
/// </summary>
[Immovable]
[ImplicitStreamSubscription(StreamNames.Ticks)]
public sealed partial class TickRouterGrain(ILogger<TickRouterGrain> logger) : Grain, ITickRouterGrain, IStreamSubscriptionObserver, IAsyncBatchObserver<TickRound>
{
    /// <summary>Trades of one pair handed over in one call at most; more go in consecutive calls.</summary>
    public const int MaxTicksPerCall = 8192;

    /// <inheritdoc/>
    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.Create<TickRound>().ResumeAsync(this);

    /// <inheritdoc/>
    public async Task OnNextAsync(IList<SequentialItem<TickRound>> items)
    {
        await RouteAsync(items);
        Count(items);
    }

    private async Task RouteAsync(IList<SequentialItem<TickRound>> items)
    {
        if (items.Count == 1)
        {
            await RecordAsync(items[0].Item.Batches, items[0].Item.Epoch);
            return;
        }

        // Rounds of one epoch are merged; a mode switch inside the delivery splits it, the earlier epoch first.
        var start = 0;
        for (var i = 1; i <= items.Count; i++)
        {
            if (i == items.Count || items[i].Item.Epoch != items[start].Item.Epoch)
            {
                var run = start == 0 && i == items.Count ? items : items.Skip(start).Take(i - start).ToList();
                await RecordAsync(Merge(run), items[start].Item.Epoch);
                start = i;
            }
        }
    }

    /// <inheritdoc/>
    public Task OnCompletedAsync() => Task.CompletedTask;

    /// <summary>Counts the delivery's trades for the operations view, with how old its newest one was.</summary>
    private void Count(IList<SequentialItem<TickRound>> items)
    {
        long ticks = 0, newest = 0;
        foreach (var item in items)
        {
            foreach (var batch in item.Item.Batches)
            {
                ticks += batch.Ticks.Length;
                if (batch.Ticks.Length > 0)
                {
                    newest = Math.Max(newest, batch.Ticks.Span[^1].ExchangeTime.UtcTicks);
                }
            }
        }

        if (ticks > 0)
        {
            Ops.SiloActivity.Delivered(this.GetPrimaryKeyString(), ticks, new DateTimeOffset(newest, TimeSpan.Zero), DateTimeOffset.UtcNow);
        }
    }

    /// <inheritdoc/>
    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(ex, this.GetPrimaryKeyString());
        return Task.CompletedTask;
    }

    /// <summary>
    /// The batches of <paramref name="rounds"/> as one batch per instrument, each holding its instrument's ticks of every
    /// round in the rounds' order, the instruments in the order they first appear.
    /// </summary>
    public static TickBatch[] Merge(IList<SequentialItem<TickRound>> rounds)
    {
        var parts = new Dictionary<InstrumentKey, List<TickBatch>>();
        foreach (var round in rounds)
        {
            foreach (var batch in round.Item.Batches)
            {
                if (!parts.TryGetValue(batch.Instrument, out var list))
                {
                    parts[batch.Instrument] = list = [];
                }

                list.Add(batch);
            }
        }

        var merged = new TickBatch[parts.Count];
        var i = 0;
        foreach (var (instrument, list) in parts)
        {
            merged[i++] = list.Count == 1 ? list[0] : new TickBatch(instrument, Concat(list));
        }

        return merged;
    }

    private static Tick[] Concat(List<TickBatch> batches)
    {
        var ticks = new Tick[batches.Sum(b => b.Ticks.Length)];
        var at = 0;
        foreach (var batch in batches)
        {
            batch.Ticks.Span.CopyTo(ticks.AsSpan(at));
            at += batch.Ticks.Length;
        }

        return ticks;
    }

    private Task RecordAsync(TickBatch[] batches, long epoch)
    {
        if (batches.Length == 1)
        {
            return RecordAsync(batches[0], epoch);
        }

        var recorded = new Task[batches.Length];
        for (var i = 0; i < batches.Length; i++)
        {
            recorded[i] = RecordAsync(batches[i], epoch);
        }

        return Task.WhenAll(recorded);
    }

    private Task RecordAsync(TickBatch batch, long epoch)
    {
        var pair = GrainFactory.GetGrain<IPairGrain>(batch.Instrument.Value);
        return batch.Ticks.Length <= MaxTicksPerCall ? pair.RecordTicksAsync(batch, epoch) : RecordInPartsAsync(pair, batch, epoch);
    }

    private static async Task RecordInPartsAsync(IPairGrain pair, TickBatch batch, long epoch)
    {
        for (var start = 0; start < batch.Ticks.Length; start += MaxTicksPerCall)
        {
            var length = Math.Min(MaxTicksPerCall, batch.Ticks.Length - start);
            await pair.RecordTicksAsync(new TickBatch(batch.Instrument, batch.Ticks.Slice(start, length)), epoch);
        }
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Error, Message = "Tick stream {Stream} reported an error")]
    private partial void LogStreamError(Exception error, string stream);
}
