using Microsoft.Extensions.Diagnostics.HealthChecks;
using PriceActors.Grains;
using PriceActors.Silo.Health;
using PriceActors.Silo.RabbitMq;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Silo.RabbitMq;

/// <summary>Restarts the shared test broker, so it runs alone (see <see cref="BrokerRestartCollection"/>).</summary>
[Collection(BrokerRestartCollection.Name)]
public sealed class RabbitMqBrokerRestartTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task BrokerRestart_SameObjects_PublishingConsumingAndSubscriptionsResume()
    {
        // One batch a message, so each partition has many messages in flight when the broker goes; a budget the
        // publishing through the restart cannot fill.
        await using var bus = new RabbitMqTestBus(partitions: 2, o => (o.NetworkRecoveryInterval, o.TicksPerMessage, o.MaxBufferedTicks) = (TimeSpan.FromMilliseconds(500), 10, 10_000_000));
        var (siloConnection, gatewayConnection) = (bus.NewConnection(), bus.NewConnection());
        var statistics = new RabbitMqStatistics();
        var ticks = bus.NewTickStream(siloConnection, statistics: statistics);
        var updates = bus.NewUpdateStream(siloConnection, statistics);
        var health = new RabbitMqHealthCheck(siloConnection, statistics);
        var recorder = new TickRecorder(bus.Partitions);
        using var stop = new CancellationTokenSource();
        var consuming = ticks.ConsumeAsync(recorder.HandleAsync, stop.Token);
        await ticks.Subscribed.WaitAsync(Deadline);
        var observer = new RecordingObserver();
        await using var subscription = bus.NewUpdateStream(gatewayConnection).Subscribe(observer);
        var watched = InstrumentKey.Create("test", "WATCHED");
        await subscription.AddAsync(watched);
        var instruments = Enumerable.Range(0, 4).Select(TestTicks.Instrument).ToArray();

        await PublishTicksAsync(ticks, instruments, 1);
        await Eventually.HoldsAsync(() => recorder.Total >= 4 * 100, Deadline, "ticks before the restart");
        await updates.PublishAsync(Update(watched, 1));
        await Eventually.HoldsAsync(() => observer.Count >= 1, Deadline, "an update before the restart");

        // Publishing goes on without waiting for confirms from before the broker goes down until after it is back.
        using var publishedEnough = new CancellationTokenSource();
        var publishingThrough = instruments.Select(i => PublishWithoutWaitingAsync(ticks, i, 101, publishedEnough.Token)).ToArray();
        await Eventually.HoldsAsync(() => recorder.Total >= 4 * 200, Deadline, "ticks published without waiting, before the restart");
        var restarting = Task.Run(() => TestServers.Run("restart-rabbitmq"));
        await Eventually.HoldsAsync(async () => (await health.CheckHealthAsync(new HealthCheckContext())).Status == HealthStatus.Unhealthy, Deadline, "unhealthy while the broker is down");
        await restarting.WaitAsync(TimeSpan.FromMinutes(3));
        var afterRestart = recorder.Total;
        await Eventually.HoldsAsync(() => recorder.Total >= afterRestart + (4 * 200), Deadline, "ticks published without waiting, after the restart");
        await publishedEnough.CancelAsync();

        var last = await Task.WhenAll(publishingThrough).WaitAsync(Deadline);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);
        Assert.True(Interlocked.Read(ref statistics.TickPublishFailures) > 0, "some messages in flight failed when the broker went down");
        await Eventually.HoldsAsync(() => instruments.Select((i, n) => recorder.Of(i).Select(t => t.TradeId).Distinct().Count() == last[n]).All(done => done), Deadline, "every tick after the restart");
        for (var n = 0; n < instruments.Length; n++)
        {
            // At least once: a redelivery may repeat ticks, but first occurrences are complete and in order.
            Assert.Equal(Enumerable.Range(1, (int)last[n]).Select(i => (long)i), recorder.Of(instruments[n]).Select(t => t.TradeId).Distinct());
        }

        var sequence = 2L;
        await Eventually.HoldsAsync(
            async () =>
            {
                await updates.PublishAsync(Update(watched, sequence++));
                return observer.Of("WATCHED").Cast<PriceUpdated>().Any(u => u.Sequence > 1);
            },
            Deadline,
            "the subscription receives again after the restart");
        await stop.CancelAsync();
        await consuming.WaitAsync(Deadline);
    }

    private static async Task PublishTicksAsync(RabbitMqTickStream stream, InstrumentKey[] instruments, long from)
    {
        await Task.WhenAll(instruments.Select(async instrument =>
        {
            for (var next = from; next < from + 100; next += 10)
            {
                await stream.PublishAsync(TestTicks.Batch(instrument, next, 10), CancellationToken.None);
            }
        }));
    }

    /// <summary>Publishes batches of 10 every few milliseconds without waiting for earlier confirms; returns the last trade id.</summary>
    private static async Task<long> PublishWithoutWaitingAsync(RabbitMqTickStream stream, InstrumentKey instrument, long from, CancellationToken enough)
    {
        var confirms = new List<Task>();
        var next = from;
        while (!enough.IsCancellationRequested)
        {
            confirms.Add(stream.PublishAsync(TestTicks.Batch(instrument, next, 10), CancellationToken.None).AsTask());
            next += 10;
            await Task.Delay(TimeSpan.FromMilliseconds(5), CancellationToken.None);
        }

        await Task.WhenAll(confirms);
        return next - 1;
    }

    private static PriceUpdated Update(InstrumentKey instrument, long sequence) =>
        new(instrument.Exchange, instrument.Symbol, 1.5m, 2m, DateTimeOffset.UnixEpoch.AddSeconds(sequence), sequence, 1);
}
