using System.Text.RegularExpressions;
using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Silo.RabbitMq;
using PriceActors.Tests.Support;
using RabbitMQ.Client;

namespace PriceActors.Tests.Silo.RabbitMq;

public sealed class RabbitMqTickStreamTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ConsumeAsync_ManyInstrumentsAndPartitions_EveryTickInOrder()
    {
        await using var bus = new RabbitMqTestBus(partitions: 4, o => o.TicksPerMessage = 20);
        var publisher = bus.NewTickStream();
        var consumer = bus.NewTickStream();
        var recorder = new TickRecorder(bus.Partitions);
        using var stop = new CancellationTokenSource();
        var consuming = consumer.ConsumeAsync(recorder.HandleAsync, stop.Token);

        var instruments = Enumerable.Range(0, 40).Select(TestTicks.Instrument).ToArray();
        await Task.WhenAll(instruments.Select(async (instrument, i) =>
        {
            for (long next = 1; next <= 250;)
            {
                var count = (int)Math.Min(1 + ((next + i) % 37), 251 - next);
                await publisher.PublishAsync(TestTicks.Batch(instrument, next, count), CancellationToken.None);
                next += count;
            }
        }));
        await Eventually.HoldsAsync(() => recorder.Total >= 40 * 250, Deadline, "every tick consumed");

        foreach (var instrument in instruments)
        {
            Assert.Equal(TestTicks.Batch(instrument, 1, 250).Ticks.ToArray(), recorder.Of(instrument));
        }

        Assert.Equal(bus.Partitions, recorder.Partitions.Count);
        await stop.CancelAsync();
        await consuming;
    }

    [Fact]
    public async Task PublishAsync_BrokerNacksWhileThePartitionQueueIsFull_RetriedUntilAcceptedEveryTickOnceInOrder()
    {
        // A real nack: a policy caps each partition queue at 20 messages and has the broker reject what comes beyond.
        await using var bus = new RabbitMqTestBus(partitions: 2, o => (o.TicksPerMessage, o.NetworkRecoveryInterval) = (10, TimeSpan.FromMilliseconds(500)));
        var policy = bus.Options.Prefix;
        TestServers.Run("rabbitmqctl", "set_policy", "--apply-to", "queues", policy, $"^{Regex.Escape(bus.Options.Prefix)}\\.ticks\\.", """{"max-length":20,"overflow":"reject-publish"}""");
        try
        {
            var statistics = new RabbitMqStatistics();
            var stream = bus.NewTickStream(statistics: statistics);
            var instruments = Enumerable.Range(0, 4).Select(TestTicks.Instrument).ToArray();

            // 120 messages of 10 ticks for about 40 places. A round carries one message per instrument, so once the queues
            // are full each round's 4 are nacked, and retried and nacked again while nobody consumes.
            var publishing = instruments.SelectMany(i => Enumerable.Range(0, 30).Select(n => stream.PublishAsync(TestTicks.Batch(i, 1 + (n * 10), 10), CancellationToken.None).AsTask())).ToArray();
            await Eventually.HoldsAsync(() => Interlocked.Read(ref statistics.TickPublishFailures) > 8, Deadline, "the broker nacked messages beyond the queues' limit, and their retries");
            Assert.Contains(publishing, p => !p.IsCompleted);

            var recorder = new TickRecorder(bus.Partitions);
            using var stop = new CancellationTokenSource();
            var consuming = stream.ConsumeAsync(recorder.HandleAsync, stop.Token);
            await Task.WhenAll(publishing).WaitAsync(Deadline);
            await Eventually.HoldsAsync(() => recorder.Total >= 4 * 300, Deadline, "every tick consumed");

            foreach (var instrument in instruments)
            {
                Assert.Equal(TestTicks.Batch(instrument, 1, 300).Ticks.ToArray(), recorder.Of(instrument));
            }

            Assert.Equal(4 * 300, recorder.Total);
            await stop.CancelAsync();
            await consuming;
        }
        finally
        {
            TestServers.Run("rabbitmqctl", "clear_policy", policy);
        }
    }

    [Theory]
    [InlineData(2, 2)]
    [InlineData(1, 1)]
    [InlineData(1, 2)] // A cluster upgraded from a release that read only version 1 switches once all silos run this one.
    public async Task PublishAsync_Completed_TicksAreInTheQueueInTheConfiguredVersion(int first, int then)
    {
        await using var bus = new RabbitMqTestBus(partitions: 2, o => (o.TicksPerMessage, o.TickMessageVersion) = (7, first));
        var stream = bus.NewTickStream();
        var instruments = Enumerable.Range(0, 6).Select(TestTicks.Instrument).ToArray();

        await Task.WhenAll(instruments.Select(i => stream.PublishAsync(TestTicks.Batch(i, 1, 15), CancellationToken.None).AsTask()));
        bus.Options.TickMessageVersion = then;
        await Task.WhenAll(instruments.Select(i => stream.PublishAsync(TestTicks.Batch(i, 16, 15), CancellationToken.None).AsTask()));

        // No consumer yet: whatever a completed publish promised must already be counted in the queues.
        await using var admin = await RabbitMqTestBus.NewAdminConnectionAsync();
        await using var channel = await admin.CreateChannelAsync();
        var queued = 0u;
        for (var p = 0; p < bus.Partitions; p++)
        {
            queued += await channel.MessageCountAsync(bus.Names.TickQueue(p));
        }

        var bodies = new System.Collections.Concurrent.ConcurrentQueue<(bool Persistent, byte[] Body)>();
        var consumer = new RabbitMQ.Client.Events.AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            bodies.Enqueue((delivery.BasicProperties.Persistent, delivery.Body.ToArray()));
            return Task.CompletedTask;
        };
        for (var p = 0; p < bus.Partitions; p++)
        {
            await channel.BasicConsumeAsync(bus.Names.TickQueue(p), autoAck: true, consumer);
        }

        var found = new List<Tick>();
        await Eventually.HoldsAsync(() => bodies.Sum(b => TickCodec.Decode(b.Body).Sum(r => r.Ticks.Length)) >= 180, Deadline, "every published tick consumed");
        Assert.Equal((int)queued, bodies.Count);
        Assert.All(bodies, b => Assert.True(b.Persistent));
        Assert.Equal(new[] { first, then }.Distinct(), bodies.Select(b => (int)b.Body[1]).Distinct().Order());
        found.AddRange(bodies.SelectMany(b => TickCodec.Decode(b.Body)).SelectMany(r => r.Ticks.ToArray()));
        foreach (var instrument in instruments)
        {
            Assert.Equal(TestTicks.Batch(instrument, 1, 30).Ticks.ToArray(), found.Where(t => t.Instrument == instrument));
        }
    }

    [Fact]
    public async Task ConsumeAsync_TwoProcesses_OneActiveConsumerPerPartition()
    {
        await using var bus = new RabbitMqTestBus(partitions: 4);
        var publisher = bus.NewTickStream();
        var (first, second) = (new TickRecorder(bus.Partitions), new TickRecorder(bus.Partitions));
        var (firstLifecycle, secondLifecycle) = (new RecordingLifecycle(), new RecordingLifecycle());
        using var stop = new CancellationTokenSource();
        var (firstStream, secondStream) = (bus.NewTickStream(lifecycle: firstLifecycle), bus.NewTickStream(lifecycle: secondLifecycle));
        var consumingFirst = firstStream.ConsumeAsync(first.HandleAsync, stop.Token);
        await firstStream.Subscribed.WaitAsync(Deadline);
        var consumingSecond = secondStream.ConsumeAsync(second.HandleAsync, stop.Token);
        await secondStream.Subscribed.WaitAsync(Deadline);

        var instruments = Enumerable.Range(0, 16).Select(TestTicks.Instrument).ToArray();
        await Task.WhenAll(instruments.Select(i => publisher.PublishAsync(TestTicks.Batch(i, 1, 100), CancellationToken.None).AsTask()));
        await Eventually.HoldsAsync(() => first.Total + second.Total >= 1600, Deadline, "every tick consumed");

        // The first to subscribe is active on every partition; the second only waits in line.
        Assert.Equal(1600, first.Total);
        Assert.Equal(0, second.Total);
        var used = instruments.Select(i => PartitionMap.PartitionOf(i, bus.Partitions)).Distinct().Order();
        Assert.Equal(used, firstLifecycle.Acquired.Order());
        Assert.Empty(secondLifecycle.Acquired);
        await stop.CancelAsync();
        await Task.WhenAll(consumingFirst, consumingSecond);
    }

    [Fact]
    public async Task ConsumeAsync_ActiveProcessDiesAbruptly_OtherReceivesExactlyTheUnacknowledgedTicks()
    {
        await using var bus = new RabbitMqTestBus(partitions: 1, o => o.TicksPerMessage = 10);
        var instrument = TestTicks.Instrument(1);
        var publisher = bus.NewTickStream();
        for (var next = 1; next <= 300; next += 10)
        {
            await publisher.PublishAsync(TestTicks.Batch(instrument, next, 10), CancellationToken.None);
        }

        var dying = new TickRecorder(bus.Partitions);
        var dyingConnection = bus.NewConnection();
        var dead = await dyingConnection.GetAsync(CancellationToken.None);
        var blocked = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        dying.BeforeRecord = async (batch, _) =>
        {
            if (batch.Ticks.Span[^1].TradeId >= 150)
            {
                // Stuck in this batch until the process dies; its work never completes.
                blocked.TrySetResult(batch.Ticks.Span[0].TradeId);
                await Eventually.HoldsAsync(() => !dead.IsOpen, Deadline, "the dying connection aborted");
                throw new IOException("the process died");
            }
        };
        var survivor = new TickRecorder(bus.Partitions);
        using var stop = new CancellationTokenSource();
        var consumingDying = bus.NewTickStream(dyingConnection).ConsumeAsync(dying.HandleAsync, stop.Token);
        var firstUnacked = await blocked.Task.WaitAsync(Deadline);
        var survivorStream = bus.NewTickStream();
        var consumingSurvivor = survivorStream.ConsumeAsync(survivor.HandleAsync, stop.Token);
        await survivorStream.Subscribed.WaitAsync(Deadline);

        // Not awaited at once: the client's close waits for the handler in flight to return.
        var aborting = Task.Run(() => dead.AbortAsync());
        await Eventually.HoldsAsync(() => survivor.Total >= 300 - firstUnacked + 1, TimeSpan.FromSeconds(10), "survivor took over");

        Assert.Equal(Enumerable.Range(1, (int)firstUnacked - 1).Select(i => (long)i), dying.Of(instrument).Select(t => t.TradeId));
        Assert.Equal(TestTicks.Batch(instrument, firstUnacked, 300 - (int)firstUnacked + 1).Ticks.ToArray(), survivor.Of(instrument));
        await stop.CancelAsync();
        await Task.WhenAll(consumingDying, consumingSurvivor, aborting).WaitAsync(Deadline);
    }

    [Fact]
    public async Task ReleasePartitionAsync_WithBacklog_OtherContinuesWithoutLossDuplicateOrReorder()
    {
        await using var bus = new RabbitMqTestBus(partitions: 1, o => o.TicksPerMessage = 10);
        var instrument = TestTicks.Instrument(2);
        var publisher = bus.NewTickStream();
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => publisher.PublishAsync(TestTicks.Batch(instrument, 1 + (i * 10), 10), CancellationToken.None).AsTask()));

        var (leaving, staying) = (new TickRecorder(bus.Partitions), new TickRecorder(bus.Partitions));
        var (leavingLifecycle, stayingLifecycle) = (new RecordingLifecycle(), new RecordingLifecycle());
        var midway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var releaseStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        leaving.BeforeRecord = async (batch, _) =>
        {
            if (leaving.Total >= 300)
            {
                midway.TrySetResult();
                await releaseStarted.Task;
            }
        };
        var leavingStream = bus.NewTickStream(lifecycle: leavingLifecycle);
        using var stop = new CancellationTokenSource();
        var consumingLeaving = leavingStream.ConsumeAsync(leaving.HandleAsync, stop.Token);
        await midway.Task.WaitAsync(Deadline);
        var stayingStream = bus.NewTickStream(lifecycle: stayingLifecycle);
        var consumingStaying = stayingStream.ConsumeAsync(staying.HandleAsync, stop.Token);
        await stayingStream.Subscribed.WaitAsync(Deadline);

        var releasing = leavingStream.ReleasePartitionAsync(0);
        releaseStarted.SetResult();
        await releasing.WaitAsync(Deadline);
        await Eventually.HoldsAsync(() => leaving.Total + staying.Total >= 2000, Deadline, "the rest consumed by the other");

        var all = leaving.Of(instrument).Concat(staying.Of(instrument)).ToArray();
        Assert.Equal(TestTicks.Batch(instrument, 1, 2000).Ticks.ToArray(), all);
        Assert.InRange(leaving.Total, 310, 1990);
        Assert.Equal([0], leavingLifecycle.Acquired);
        Assert.Equal([0], leavingLifecycle.Released);
        Assert.Equal([0], stayingLifecycle.Acquired);
        Assert.Empty(leavingStream.ActivePartitions);
        await stop.CancelAsync();
        await Task.WhenAll(consumingLeaving, consumingStaying);
    }

    [Fact]
    public async Task ConsumeAsync_MalformedMessage_CountedAndSkipped()
    {
        await using var bus = new RabbitMqTestBus(partitions: 1);
        var statistics = new RabbitMqStatistics();
        var stream = bus.NewTickStream(statistics: statistics);
        var recorder = new TickRecorder(bus.Partitions);
        using var stop = new CancellationTokenSource();
        var consuming = stream.ConsumeAsync(recorder.HandleAsync, stop.Token);
        await stream.Subscribed.WaitAsync(Deadline);
        await using (var admin = await RabbitMqTestBus.NewAdminConnectionAsync())
        await using (var channel = await admin.CreateChannelAsync())
        {
            await channel.BasicPublishAsync(string.Empty, bus.Names.TickQueue(0), "not a tick message"u8.ToArray());
        }

        var instrument = TestTicks.Instrument(3);
        await stream.PublishAsync(TestTicks.Batch(instrument, 1, 5), CancellationToken.None);
        await Eventually.HoldsAsync(() => recorder.Total >= 5, Deadline, "the valid ticks after the malformed message");

        Assert.Equal(1, statistics.MalformedMessageCount);
        Assert.Equal(TestTicks.Batch(instrument, 1, 5).Ticks.ToArray(), recorder.Of(instrument));
        await stop.CancelAsync();
        await consuming;
    }
}
