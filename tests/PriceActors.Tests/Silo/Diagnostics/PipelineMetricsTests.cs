using PriceActors.Grains;
using PriceActors.Grains.Storage;
using PriceActors.Grains.Streams;
using PriceActors.Silo.Diagnostics;
using PriceActors.Silo.Postgres;
using PriceActors.Tests.Silo.Postgres;
using PriceActors.Tests.Silo.RabbitMq;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Silo.Diagnostics;

/// <summary>
/// The stage histograms are recorded where the real adapters do the work. Other tests record into the same
/// static meter in parallel, so each test stamps its ticks hours in the past and looks for that signature.
/// </summary>
public sealed class PipelineMetricsTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task GroupCommit_Committed_RecordsDurableAgeFlushDurationAndSize()
    {
        using var metrics = new PipelineMetricsCollector();
        var instrument = InstrumentKey.Parse("test:METRICS");
        var fence = new PartitionFence(database.DataSource);
        await fence.ClaimAsync(PartitionMap.PartitionOf(instrument, new StreamOptions().PartitionCount), "silo-a", CancellationToken.None);
        await using var store = database.CreateStore(fence);
        var now = DateTimeOffset.UtcNow;
        SequencedTick[] ticks = [.. Enumerable.Range(1, 4321).Select(i => new SequencedTick(i, new Tick(instrument, 1m, 1m, i, now, now.AddHours(-1))))];

        await store.AppendTicksAsync(instrument, 1, ticks, CancellationToken.None);

        // Recorded just after the writer releases its callers, so possibly a moment after the append returns.
        await Eventually.HoldsAsync(
            () => metrics.Of("priceactors.ticks.durable_age").Any(age => age is >= 3_600_000 and < 3_660_000),
            Deadline,
            "the durable age of the ticks received 1 h ago");
        Assert.Contains(metrics.Of("priceactors.store.flush_ticks"), count => count >= 4321);
        Assert.NotEmpty(metrics.Of("priceactors.store.flush_duration"));
    }

    [Fact]
    public async Task TickAndUpdateStreams_RecordDeliveryAndPublishAgesAndConfirmRounds()
    {
        using var metrics = new PipelineMetricsCollector();
        await using var bus = new RabbitMqTestBus(partitions: 1);
        var instrument = InstrumentKey.Create("test", "METRICS");
        var publisher = bus.NewTickStream();
        using var stop = new CancellationTokenSource();
        var consuming = bus.NewTickStream().ConsumeAsync((_, _) => ValueTask.CompletedTask, stop.Token);
        var updates = bus.NewUpdateStream();
        var now = DateTimeOffset.UtcNow;

        await publisher.PublishAsync(new TickBatch(instrument, new[] { new Tick(instrument, 1m, 1m, 1, now, now.AddHours(-2)) }), CancellationToken.None);
        await updates.PublishAsync(new PriceUpdated("test", "METRICS", 1m, 1m, now.AddHours(-3), 1, 1));

        await Eventually.HoldsAsync(
            () => metrics.Of("priceactors.ticks.delivery_age").Any(age => age is >= 7_200_000 and < 7_260_000)
                && metrics.Of("priceactors.updates.publish_age").Any(age => age is >= 10_800_000 and < 10_860_000),
            Deadline,
            "the delivery age of the tick stamped 2 h ago and the publish age of the update stamped 3 h ago");
        Assert.NotEmpty(metrics.Of("priceactors.ticks.publish_round"));
        await stop.CancelAsync();
        await consuming;
    }

    [Fact]
    public async Task UpdateSubscription_Received_RecordsTransitSinceTheSilosSendTime()
    {
        using var metrics = new PipelineMetricsCollector();
        await using var bus = new RabbitMqTestBus(partitions: 1);
        var instrument = InstrumentKey.Create("test", "TRANSIT");
        // The gateway's clock runs 4 h ahead of the silo's: the transit it records is 4 h and the relay.
        var gateway = bus.NewUpdateStream(time: new ShiftedTimeProvider(TimeSpan.FromHours(4)));
        var observer = new RecordingObserver();
        await using var subscription = gateway.Subscribe(observer);
        await subscription.AddAsync(instrument);

        await bus.NewUpdateStream().PublishAsync(new PriceUpdated("test", "TRANSIT", 1m, 1m, DateTimeOffset.UtcNow, 1, 1));

        // The transit is recorded before the message's updates go to the observer: wait for both.
        await Eventually.HoldsAsync(
            () => metrics.Of("priceactors.updates.transit").Any(transit => transit is >= 14_400_000 and < 14_460_000) && observer.Count > 0,
            Deadline,
            "the transit of the update message as seen by a clock 4 h ahead, and the update delivered");
        Assert.Equal(1, observer.Count);
    }

    [Fact]
    public async Task PartitionConsumer_MessagesHeld_RecordsInFlightUpToThePrefetchAndBackDownWithTheAcks()
    {
        // No other test has more than 100 messages of a partition in flight: the maximum is this test's.
        const int Prefetch = 300;
        using var metrics = new PipelineMetricsCollector();
        await using var bus = new RabbitMqTestBus(partitions: 1, o =>
        {
            o.TicksPerMessage = 1;
            o.PrefetchPerPartition = Prefetch;
        });
        var instrument = InstrumentKey.Create("test", "INFLIGHT");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long handled = 0;
        using var stop = new CancellationTokenSource();
        var consuming = bus.NewTickStream().ConsumeAsync(
            async (batch, _) =>
            {
                await gate.Task;
                Interlocked.Add(ref handled, batch.Ticks.Length);
            },
            stop.Token);
        var publisher = bus.NewTickStream();

        // Two prefetches of one-tick messages, held: the broker stops at one prefetch.
        for (var i = 1; i <= 2 * Prefetch; i++)
        {
            await publisher.PublishAsync(TestTicks.Batch(instrument, i, 1), CancellationToken.None);
        }

        try
        {
            await Eventually.HoldsAsync(() => metrics.Of("priceactors.ticks.in_flight").Contains(Prefetch), Deadline, "a full prefetch in flight");
        }
        catch (TimeoutException timeout)
        {
            // Failed once in a clean-clone CI run and once in 20 local runs: say what the broker and the consumer had.
            await using var admin = await RabbitMqTestBus.NewAdminConnectionAsync();
            await using var channel = await admin.CreateChannelAsync();
            var ready = (await channel.QueueDeclarePassiveAsync(bus.Names.TickQueue(0))).MessageCount;
            var seen = metrics.Of("priceactors.ticks.in_flight");
            gate.TrySetResult(); // so the consumer, and the bus with it, can stop
            await stop.CancelAsync();
            throw new TimeoutException(
                $"{timeout.Message}: {seen.Length} deliveries recorded, at most {(seen.Length == 0 ? 0 : seen.Max())} in flight, {ready} messages ready in the queue, {Interlocked.Read(ref handled)} ticks handled",
                timeout);
        }

        // Released: the acks count down, so the second prefetch's deliveries count no higher than the prefetch.
        gate.SetResult();
        await Eventually.HoldsAsync(() => Interlocked.Read(ref handled) == 2 * Prefetch, Deadline, "every message handled");
        Assert.Equal(Prefetch, metrics.Of("priceactors.ticks.in_flight").Max());
        await stop.CancelAsync();
        await consuming;
    }

    private sealed class ShiftedTimeProvider(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }
}
