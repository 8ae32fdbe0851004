using PriceActors.Grains;
using PriceActors.Silo.RabbitMq;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Silo.RabbitMq;

/// <summary>
/// <see cref="RabbitMqTickStream.ConsumePipelinedAsync"/> on the real broker: an instrument's next batch is handed
/// over while the one before it commits, up to <see cref="RabbitMqOptions.BatchesInFlightPerInstrument"/>; a failed
/// one and those taken after it are handed over again, in order, and nothing is acked before it is durable.
/// </summary>
public sealed partial class PartitionConsumerTests
{
    [Fact]
    public async Task ConsumePipelinedAsync_ATakenBatchFails_ItAndTheOnesTakenAfterItComeAgainInOrderAndEachTickIsDurableOnce()
    {
        await using var bus = NewBus(batchesInFlight: 2);
        var instrument = TestTicks.Instrument(7);
        var publisher = bus.NewTickStream();
        for (var from = 1; from <= 31; from += 10)
        {
            await publisher.PublishAsync(TestTicks.Batch(instrument, from, 10), CancellationToken.None);
        }

        var statistics = new RabbitMqStatistics();
        var handler = new ChainedHandler();
        var stream = bus.NewTickStream(statistics: statistics);
        using var stop = new CancellationTokenSource();
        var consuming = stream.ConsumePipelinedAsync(handler.TakeAsync, stop.Token);

        // Two taken while neither is durable (the limit); the others wait, and nothing is acked.
        await Eventually.HoldsAsync(() => handler.Taken.Length == 2, Deadline, "two batches taken");
        await Task.Delay(300);
        Assert.Equal([1L, 11L], handler.Taken);
        Assert.Equal(0, statistics.TickMessagesConsumedCount);

        // The first one's append fails, and with it the second, queued behind it. From now on appends commit at once.
        handler.AutoCommit = true;
        handler.FailPending();
        await Eventually.HoldsAsync(() => statistics.TickMessagesConsumedCount >= 4, Deadline, "every message acked");

        Assert.Equal(TestTicks.Batch(instrument, 1, 40).Ticks.ToArray(), handler.Durable);
        Assert.Equal([1L, 11L, 1L, 11L, 21L], handler.Taken.Take(5));
        Assert.Equal(4, statistics.TickMessagesConsumedCount);
        await stop.CancelAsync();
        await consuming.WaitAsync(Deadline);
    }

    [Fact]
    public async Task ConsumePipelinedAsync_OneBatchInFlightPerInstrument_NextHandedOverOnlyOnceThePreviousIsDurable()
    {
        await using var bus = NewBus(batchesInFlight: 1);
        var instrument = TestTicks.Instrument(8);
        var publisher = bus.NewTickStream();
        for (var from = 1; from <= 21; from += 10)
        {
            await publisher.PublishAsync(TestTicks.Batch(instrument, from, 10), CancellationToken.None);
        }

        var handler = new ChainedHandler();
        var stream = bus.NewTickStream();
        using var stop = new CancellationTokenSource();
        var consuming = stream.ConsumePipelinedAsync(handler.TakeAsync, stop.Token);

        await Eventually.HoldsAsync(() => handler.Taken.Length == 1, Deadline, "the first batch taken");
        await Task.Delay(300);
        Assert.Equal([1L], handler.Taken);

        // Durable: the other two, which waited meanwhile, go over merged into one batch.
        handler.AutoCommit = true;
        handler.CommitPending();
        await Eventually.HoldsAsync(() => handler.Durable.Length == 30, Deadline, "every tick durable");
        Assert.Equal([1L, 11L], handler.Taken);
        Assert.Equal(TestTicks.Batch(instrument, 1, 30).Ticks.ToArray(), handler.Durable);
        await stop.CancelAsync();
        await consuming.WaitAsync(Deadline);
    }

    private static RabbitMqTestBus NewBus(int batchesInFlight) => new(partitions: 1, o =>
    {
        o.TicksPerMessage = 10;
        o.PrefetchPerPartition = Prefetch;
        o.BatchesInFlightPerInstrument = batchesInFlight;
    });

    /// <summary>
    /// Takes batches the way a pair actor and its store do: the append of each is pending until the test commits or
    /// fails it, one queued behind a failed one fails too, and a batch whose predecessor failed is refused.
    /// </summary>
    private sealed class ChainedHandler
    {
        private readonly Lock gate = new();
        private readonly List<(Tick[] Ticks, TaskCompletionSource Done)> pending = [];
        private readonly List<long> taken = [];
        private readonly List<Tick> durable = [];

        /// <summary>Appends taken from now on commit at once when nothing is pending before them.</summary>
        public bool AutoCommit { get; set; }

        /// <summary>The first trade id of each batch taken, in order.</summary>
        public long[] Taken
        {
            get
            {
                lock (gate)
                {
                    return [.. taken];
                }
            }
        }

        public Tick[] Durable
        {
            get
            {
                lock (gate)
                {
                    return [.. durable];
                }
            }
        }

        public ValueTask<Task> TakeAsync(TickBatch batch, Task after, CancellationToken cancellationToken)
        {
            if (after.IsFaulted || after.IsCanceled)
            {
                throw new InvalidOperationException("The batch before this one was not stored.");
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (gate)
            {
                taken.Add(batch.Ticks.Span[0].TradeId);
                if (AutoCommit && pending.Count == 0)
                {
                    durable.AddRange(batch.Ticks.ToArray());
                    done.SetResult();
                }
                else
                {
                    pending.Add((batch.Ticks.ToArray(), done));
                }
            }

            return ValueTask.FromResult<Task>(done.Task);
        }

        public void CommitPending()
        {
            lock (gate)
            {
                pending.ForEach(p => durable.AddRange(p.Ticks));
                pending.ForEach(p => p.Done.SetResult());
                pending.Clear();
            }
        }

        public void FailPending()
        {
            lock (gate)
            {
                pending.ForEach(p => p.Done.SetException(new IOException("The database went away.")));
                pending.Clear();
            }
        }
    }
}
