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
        await using var bus = new RabbitMqTestBus(partitions: 2, o => o.NetworkRecoveryInterval = TimeSpan.FromMilliseconds(500));
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

        var restarting = Task.Run(() => TestServers.Run("restart-rabbitmq"));
        await Eventually.HoldsAsync(async () => (await health.CheckHealthAsync(new HealthCheckContext())).Status == HealthStatus.Unhealthy, Deadline, "unhealthy while the broker is down");
        var publishingThrough = PublishTicksAsync(ticks, instruments, 101);
        await restarting.WaitAsync(TimeSpan.FromMinutes(3));

        await publishingThrough.WaitAsync(Deadline);
        await Eventually.HoldsAsync(() => instruments.All(i => recorder.Of(i).Select(t => t.TradeId).Distinct().Count() == 200), Deadline, "every tick after the restart");
        foreach (var instrument in instruments)
        {
            // At least once: a redelivery may repeat ticks, but first occurrences are complete and in order.
            Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), recorder.Of(instrument).Select(t => t.TradeId).Distinct());
        }

        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);
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

    private static PriceUpdated Update(InstrumentKey instrument, long sequence) =>
        new(instrument.Exchange, instrument.Symbol, 1.5m, 2m, DateTimeOffset.UnixEpoch.AddSeconds(sequence), sequence, 1);
}
