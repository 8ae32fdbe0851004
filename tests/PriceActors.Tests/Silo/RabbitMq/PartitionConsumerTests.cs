using System.Collections.Concurrent;
using System.Diagnostics;
using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Silo.RabbitMq;
using PriceActors.Tests.Support;
using RabbitMQ.Client;

namespace PriceActors.Tests.Silo.RabbitMq;

/// <summary>
/// The pipelined partition consumer (through <see cref="RabbitMqTickStream"/>, on the real broker): several
/// messages in flight, acks in delivery order, retries that hold back what follows, graceful release.
/// One partition; every message is one instrument's batch of 10 ticks, so handler calls name their message.
/// </summary>
public sealed partial class PartitionConsumerTests
{
    private const int Prefetch = 16;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ReleasePartitionAsync_ManyInFlightThenAllHandled_AcksEveryOneAndNextConsumerGetsTheRest()
    {
        await using var bus = NewBus();
        var messages = await PublishAsync(bus, 20);
        var statistics = new RabbitMqStatistics();
        var leaving = new GatedHandler(bus.Partitions);
        var leavingStream = bus.NewTickStream(statistics: statistics);
        using var stop = new CancellationTokenSource();
        var consumingLeaving = leavingStream.ConsumeAsync(leaving.HandleAsync, stop.Token);

        // The prefetch's worth of messages is with the handler at once, none handled yet.
        await Eventually.HoldsAsync(() => leaving.Arrived.Length >= Prefetch, Deadline, "a prefetch of messages in flight");
        Assert.Equal(messages[..Prefetch], leaving.Arrived);
        var staying = new GatedHandler(bus.Partitions) { Open = true };
        var stayingStream = bus.NewTickStream();
        var consumingStaying = stayingStream.ConsumeAsync(staying.HandleAsync, stop.Token);
        await stayingStream.Subscribed.WaitAsync(Deadline);

        var releasing = leavingStream.ReleasePartitionAsync(0);
        Assert.False(releasing.IsCompleted, "the release waits for the messages in flight");
        foreach (var message in messages[..Prefetch].Reverse())
        {
            leaving.Complete(message);
        }

        await releasing.WaitAsync(Deadline);
        Assert.Equal(Prefetch, statistics.TickMessagesConsumedCount);
        await Eventually.HoldsAsync(() => staying.Handled.Length >= 20 - Prefetch, Deadline, "the rest handled by the next consumer");
        Assert.Equal(messages[Prefetch..], staying.Handled);
        Assert.Equal(messages[..Prefetch].Select(i => i.Value).Order(), leaving.Handled.Select(i => i.Value).Order());
        await stop.CancelAsync();
        await Task.WhenAll(consumingLeaving, consumingStaying).WaitAsync(Deadline);
    }

    [Fact]
    public async Task ReleasePartitionAsync_OneInFlightGivenUp_AcksOnlyTheHandledOnesBeforeIt()
    {
        await using var bus = NewBus();
        var messages = await PublishAsync(bus, 20);
        var statistics = new RabbitMqStatistics();
        var leaving = new GatedHandler(bus.Partitions);
        var leavingStream = bus.NewTickStream(statistics: statistics);
        using var stop = new CancellationTokenSource();
        var consumingLeaving = leavingStream.ConsumeAsync(leaving.HandleAsync, stop.Token);
        await Eventually.HoldsAsync(() => leaving.Arrived.Length >= Prefetch, Deadline, "a prefetch of messages in flight");
        var staying = new GatedHandler(bus.Partitions) { Open = true };
        var stayingStream = bus.NewTickStream();
        var consumingStaying = stayingStream.ConsumeAsync(staying.HandleAsync, stop.Token);
        await stayingStream.Subscribed.WaitAsync(Deadline);

        // Every message in flight but the sixth is handled; the sixth fails while the partition is released.
        foreach (var message in messages[..Prefetch].Where((_, i) => i != 5))
        {
            leaving.Complete(message);
        }

        var releasing = leavingStream.ReleasePartitionAsync(0);
        leaving.Fail(messages[5]);

        // The acks of the first five make room for more deliveries, which may come before the release stops them;
        // the release waits for those too, so they are handled (after the failure: not acked).
        var watch = Stopwatch.StartNew();
        while (!releasing.IsCompleted && watch.Elapsed < Deadline)
        {
            foreach (var late in leaving.Arrived.Skip(Prefetch))
            {
                leaving.Complete(late);
            }

            await Task.WhenAny(releasing, Task.Delay(20));
        }

        await releasing.WaitAsync(Deadline);

        // Acked: exactly the contiguous handled ones before the failure. The next consumer gets the rest,
        // in order, including the handled ones after the failure (at least once: handlers dedupe those).
        Assert.Equal(5, statistics.TickMessagesConsumedCount);
        await Eventually.HoldsAsync(() => staying.Handled.Length >= 15, Deadline, "the rest handled by the next consumer");
        Assert.Equal(messages[5..], staying.Handled);
        await stop.CancelAsync();
        await Task.WhenAll(consumingLeaving, consumingStaying).WaitAsync(Deadline);
    }

    [Fact]
    public async Task ConsumeAsync_HandlerFailsForOneMessage_LaterAcksHeldBackAndNothingLostOrDuplicated()
    {
        await using var bus = NewBus();
        var (failing, others) = (TestTicks.Instrument(100), Enumerable.Range(0, 6).Select(TestTicks.Instrument).ToArray());
        var publisher = bus.NewTickStream();

        // Messages: F[1..10], O0, F[11..20] (fails twice), O1, F[21..30], O2, F[31..40], O3, O4, O5.
        var order = new (InstrumentKey Instrument, long From)[]
        {
            (failing, 1), (others[0], 1), (failing, 11), (others[1], 1), (failing, 21), (others[2], 1), (failing, 31), (others[3], 1), (others[4], 1), (others[5], 1),
        };
        foreach (var (instrument, from) in order)
        {
            await publisher.PublishAsync(TestTicks.Batch(instrument, from, 10), CancellationToken.None);
        }

        var statistics = new RabbitMqStatistics();
        var recorder = new TickRecorder(bus.Partitions);
        var attempts = new ConcurrentDictionary<long, int>();
        var retrying = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var fixedStore = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        recorder.BeforeRecord = async (batch, _) =>
        {
            if (batch.Instrument == failing && batch.Ticks.Span[0].TradeId == 11 && attempts.AddOrUpdate(11, 1, (_, n) => n + 1) is var attempt && attempt <= 2)
            {
                if (attempt == 2)
                {
                    retrying.TrySetResult();
                    await fixedStore.Task;
                }

                throw new IOException("store down");
            }
        };
        var stream = bus.NewTickStream(statistics: statistics);
        using var stop = new CancellationTokenSource();
        var consuming = stream.ConsumeAsync(recorder.HandleAsync, stop.Token);

        // While the third message is being retried: the other instruments' messages after it are handled,
        // the failing instrument's later ticks wait behind it, and only the two messages before it are acked.
        await retrying.Task.WaitAsync(Deadline);
        await Eventually.HoldsAsync(() => others.All(o => recorder.Of(o).Count == 10), Deadline, "the other instruments handled");
        await Eventually.HoldsAsync(() => statistics.TickMessagesConsumedCount >= 2, Deadline, "the messages before the failing one acked");
        Assert.Equal(TestTicks.Batch(failing, 1, 10).Ticks.ToArray(), recorder.Of(failing));
        Assert.Equal(2, statistics.TickMessagesConsumedCount);

        fixedStore.SetResult();
        await Eventually.HoldsAsync(() => statistics.TickMessagesConsumedCount >= order.Length, Deadline, "every message acked");
        Assert.Equal(TestTicks.Batch(failing, 1, 40).Ticks.ToArray(), recorder.Of(failing));
        Assert.All(others, o => Assert.Equal(TestTicks.Batch(o, 1, 10).Ticks.ToArray(), recorder.Of(o)));
        Assert.Equal(order.Length, statistics.TickMessagesConsumedCount);
        Assert.Equal(3, attempts[11]);
        await stop.CancelAsync();
        await consuming.WaitAsync(Deadline);
    }

    [Fact]
    public async Task ConsumeAsync_ProbesInterleavedWithPipelinedTicks_AckedInDeliveryOrderAndTicksUnaffected()
    {
        await using var bus = NewBus();
        var (held, other) = (TestTicks.Instrument(1), TestTicks.Instrument(2));
        var publisher = bus.NewTickStream();
        await using var admin = await RabbitMqTestBus.NewAdminConnectionAsync();
        await using var probes = await admin.CreateChannelAsync(new CreateChannelOptions(true, true));

        // Queue: P, H[1..10], P, O[1..10], P, H[11..20], P (each publish confirmed before the next, so in this order).
        async Task Probe() => await probes.BasicPublishAsync(string.Empty, bus.Names.TickQueue(0), TickCodec.Probe);
        await TickTopology.DeclareAsync(probes, bus.Names, bus.Partitions, CancellationToken.None);
        await Probe();
        await publisher.PublishAsync(TestTicks.Batch(held, 1, 10), CancellationToken.None);
        await Probe();
        await publisher.PublishAsync(TestTicks.Batch(other, 1, 10), CancellationToken.None);
        await Probe();
        await publisher.PublishAsync(TestTicks.Batch(held, 11, 10), CancellationToken.None);
        await Probe();

        var statistics = new RabbitMqStatistics();
        var lifecycle = new RecordingLifecycle();
        var recorder = new TickRecorder(bus.Partitions);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        recorder.BeforeRecord = (batch, _) => batch.Instrument == held && batch.Ticks.Span[0].TradeId == 1 ? release.Task : Task.CompletedTask;
        var stream = bus.NewTickStream(lifecycle: lifecycle, statistics: statistics);
        using var stop = new CancellationTokenSource();
        var consuming = stream.ConsumeAsync(recorder.HandleAsync, stop.Token);

        // The first probe makes the consumer active and is acked at once; everything after the held batch waits for it.
        await Eventually.HoldsAsync(() => recorder.Of(other).Count == 10 && statistics.ProbesConsumedCount >= 1, Deadline, "the other instrument handled and the first probe acked");
        Assert.Equal([0], lifecycle.Acquired);
        Assert.Equal((1L, 0L), (statistics.ProbesConsumedCount, statistics.TickMessagesConsumedCount));

        release.SetResult();
        await Eventually.HoldsAsync(() => statistics.TickMessagesConsumedCount >= 3 && statistics.ProbesConsumedCount >= 4, Deadline, "every message acked");
        Assert.Equal(TestTicks.Batch(held, 1, 20).Ticks.ToArray(), recorder.Of(held));
        Assert.Equal(TestTicks.Batch(other, 1, 10).Ticks.ToArray(), recorder.Of(other));
        Assert.Equal((4L, 3L, 0L), (statistics.ProbesConsumedCount, statistics.TickMessagesConsumedCount, statistics.MalformedMessageCount));
        await stop.CancelAsync();
        await consuming.WaitAsync(Deadline);

        // Released: nothing unacknowledged went back to the queue.
        Assert.Equal(0u, await probes.MessageCountAsync(bus.Names.TickQueue(0)));
    }

    private static RabbitMqTestBus NewBus() => new(partitions: 1, o =>
    {
        o.TicksPerMessage = 10;
        o.PrefetchPerPartition = Prefetch;
    });

    /// <summary>Publishes one message per instrument, in order; returns the instruments in that order.</summary>
    private static async Task<InstrumentKey[]> PublishAsync(RabbitMqTestBus bus, int count)
    {
        var instruments = Enumerable.Range(0, count).Select(TestTicks.Instrument).ToArray();
        var publisher = bus.NewTickStream();
        foreach (var instrument in instruments)
        {
            await publisher.PublishAsync(TestTicks.Batch(instrument, 1, 10), CancellationToken.None);
        }

        return instruments;
    }

    /// <summary>A handler that holds each message (one instrument's batch) until the test completes or fails it.</summary>
    private sealed class GatedHandler(int partitions)
    {
        private readonly ConcurrentDictionary<InstrumentKey, TaskCompletionSource> gates = new();
        private readonly ConcurrentQueue<InstrumentKey> arrived = new();
        private readonly ConcurrentQueue<InstrumentKey> handled = new();

        public bool Open { get; init; }

        public InstrumentKey[] Arrived => [.. arrived];

        public InstrumentKey[] Handled => [.. handled];

        public async ValueTask HandleAsync(TickBatch batch, CancellationToken cancellationToken)
        {
            Assert.Equal(0, PartitionMap.PartitionOf(batch.Instrument, partitions));
            Assert.Equal(TestTicks.Batch(batch.Instrument, 1, 10).Ticks.ToArray(), batch.Ticks.ToArray());
            arrived.Enqueue(batch.Instrument);
            if (!Open)
            {
                await Gate(batch.Instrument).Task;
            }

            handled.Enqueue(batch.Instrument);
        }

        public void Complete(InstrumentKey instrument) => Gate(instrument).TrySetResult();

        public void Fail(InstrumentKey instrument) => Gate(instrument).SetException(new IOException("store down"));

        private TaskCompletionSource Gate(InstrumentKey instrument) =>
            gates.GetOrAdd(instrument, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
    }
}
