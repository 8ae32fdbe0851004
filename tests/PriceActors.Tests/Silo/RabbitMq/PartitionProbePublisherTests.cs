using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PriceActors.Silo.RabbitMq;
using PriceActors.Tests.Silo.Cluster;
using PriceActors.Tests.Silo.Postgres;
using PriceActors.Tests.Support;
using Xunit.Abstractions;

namespace PriceActors.Tests.Silo.RabbitMq;

/// <summary>
/// Ownership probes on the real broker: the active consumer of a partition nobody publishes ticks to learns it
/// is active from a probe, acks it, and counts it apart from tick messages; and a silo process started without
/// feeds owns every partition (fence claimed, in its heartbeat) with no tick at all. In the process collection:
/// the silo process needs the cores.
/// </summary>
[Collection(ClusterProcessCollection.Name)]
public sealed class PartitionProbePublisherTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    [Fact]
    public async Task ExecuteAsync_IdlePartitionsProbedByAnotherProcess_ActiveConsumerAcquiresEachAndAcksTheProbes()
    {
        await using var bus = new RabbitMqTestBus(partitions: 4);
        var (ownerLifecycle, standbyLifecycle) = (new RecordingLifecycle(), new RecordingLifecycle());
        var (ownerStatistics, standbyStatistics) = (new RabbitMqStatistics(), new RabbitMqStatistics());
        var owner = bus.NewTickStream(lifecycle: ownerLifecycle, statistics: ownerStatistics);
        var standbyConnection = bus.NewConnection();
        var standby = bus.NewTickStream(standbyConnection, standbyLifecycle, standbyStatistics);
        var recorder = new TickRecorder(bus.Partitions);
        using var stop = new CancellationTokenSource();
        var consumingOwner = owner.ConsumeAsync(recorder.HandleAsync, stop.Token);
        await owner.Subscribed.WaitAsync(Deadline);
        var consumingStandby = standby.ConsumeAsync(recorder.HandleAsync, stop.Token);
        await standby.Subscribed.WaitAsync(Deadline);
        Assert.Empty(ownerLifecycle.Acquired);

        // The standby probes (it owns nothing); the owner, first in every line, gets the probes.
        var probes = NewPublisher(standbyConnection, standby, standbyStatistics);
        var started = Stopwatch.StartNew();
        await probes.StartAsync(CancellationToken.None);
        await Eventually.HoldsAsync(() => ownerLifecycle.Acquired.Length >= bus.Partitions, Deadline, "every idle partition acquired by its active consumer");
        output.WriteLine($"{bus.Partitions} idle partitions acquired {started.ElapsedMilliseconds} ms after the first probe round (interval {Interval.TotalMilliseconds} ms)");
        await Eventually.HoldsAsync(() => ownerStatistics.ProbesConsumedCount >= bus.Partitions, Deadline, "a probe of each partition acknowledged");

        Assert.Equal(Enumerable.Range(0, bus.Partitions), ownerLifecycle.Acquired.Order());
        Assert.Equal(Enumerable.Range(0, bus.Partitions), owner.ActivePartitions.Order());
        Assert.Empty(standbyLifecycle.Acquired);
        Assert.InRange(standbyStatistics.ProbesPublishedCount, bus.Partitions, long.MaxValue);
        Assert.Equal((0L, 0L, 0), (ownerStatistics.MalformedMessageCount, ownerStatistics.TickMessagesConsumedCount, recorder.Total));
        Assert.Equal(0, standbyStatistics.ProbesConsumedCount);
        await probes.StopAsync(CancellationToken.None);
        await stop.CancelAsync();
        await Task.WhenAll(consumingOwner, consumingStandby).WaitAsync(Deadline);
    }

    [Fact]
    public async Task ExecuteAsync_OnlyProcessAndNoTicks_ProbesItsOwnLinesAndOwnsEveryPartition()
    {
        await using var bus = new RabbitMqTestBus(partitions: 3);
        var lifecycle = new RecordingLifecycle();
        var statistics = new RabbitMqStatistics();
        var connection = bus.NewConnection();
        var stream = bus.NewTickStream(connection, lifecycle, statistics);
        var recorder = new TickRecorder(bus.Partitions);
        using var stop = new CancellationTokenSource();
        var consuming = stream.ConsumeAsync(recorder.HandleAsync, stop.Token);
        var probes = NewPublisher(connection, stream, statistics);
        await probes.StartAsync(CancellationToken.None);

        await Eventually.HoldsAsync(() => statistics.ProbesConsumedCount >= bus.Partitions && stream.ActivePartitions.Count == bus.Partitions, Deadline, "every partition owned");

        Assert.Equal(Enumerable.Range(0, bus.Partitions), lifecycle.Acquired.Order());
        Assert.Equal((0L, 0L), (statistics.MalformedMessageCount, statistics.TickMessagesConsumedCount));
        await probes.StopAsync(CancellationToken.None);
        await stop.CancelAsync();
        await consuming.WaitAsync(Deadline);
    }

    [Fact]
    public async Task ExecuteAsync_PartitionWithoutConsumer_ProbesExpireInsteadOfPilingUp()
    {
        await using var bus = new RabbitMqTestBus(partitions: 2);
        var statistics = new RabbitMqStatistics();
        var connection = bus.NewConnection();
        var stream = bus.NewTickStream(connection, statistics: statistics);
        var recorder = new TickRecorder(bus.Partitions);
        using var stop = new CancellationTokenSource();
        var consuming = stream.ConsumeAsync(recorder.HandleAsync, stop.Token);
        var probes = NewPublisher(connection, stream, statistics);
        await probes.StartAsync(CancellationToken.None);
        await Eventually.HoldsAsync(() => stream.ActivePartitions.Count == bus.Partitions, Deadline, "every partition owned");

        // Partition 1 loses its only consumer; the publisher goes on probing it (it no longer owns it).
        await stream.ReleasePartitionAsync(1);
        var before = statistics.ProbesPublishedCount;
        await Eventually.HoldsAsync(() => statistics.ProbesPublishedCount >= before + 20, Deadline, "20 more probes of the partition nobody consumes");
        await using var admin = await RabbitMqTestBus.NewAdminConnectionAsync();
        await using var channel = await admin.CreateChannelAsync();
        var waiting = await channel.MessageCountAsync(bus.Names.TickQueue(1));
        output.WriteLine($"{statistics.ProbesPublishedCount - before} probes published to the unconsumed queue; {waiting} in it");

        Assert.InRange(waiting, 0u, 3u);
        await probes.StopAsync(CancellationToken.None);
        await stop.CancelAsync();
        await consuming.WaitAsync(Deadline);
    }

    [Fact]
    public async Task SiloProcess_NoFeedsNoTicks_OwnsEveryPartitionWithinSeconds()
    {
        const int partitions = 8;
        await using var database = await PostgresDatabase.CreateAsync(migrate: true);
        await using var bus = new RabbitMqTestBus(partitions);
        var started = Stopwatch.StartNew();
        await using var silo = await SiloProcess.StartAsync(
            ["--Postgres:ConnectionString", database.ConnectionString, .. bus.ProcessSettings(), "--Membership:HeartbeatInterval", "00:00:00.5", "--Logging:LogLevel:Default", "Warning"]);
        var listening = started.Elapsed;

        var deadline = DateTime.UtcNow + Deadline;
        long owners;
        int[] heartbeat;
        while ((owners = await database.ScalarAsync<long>("SELECT count(*) FROM partition_owners")) < partitions
            || (heartbeat = (await ClusterSnapshot.ReadAsync(database)).Owned.Values.SingleOrDefault() ?? []).Length < partitions)
        {
            Assert.True(DateTime.UtcNow < deadline, $"Not every partition owned within {Deadline}: {owners} fences claimed. Log:\n{string.Join('\n', silo.Log)}");
            await Task.Delay(100);
        }

        output.WriteLine($"silo listening after {listening.TotalSeconds:0.0} s; all {partitions} partitions fenced and in its heartbeat after {started.Elapsed.TotalSeconds:0.0} s");
        Assert.Equal(Enumerable.Range(0, partitions), heartbeat.Order());
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(DISTINCT owner_silo) FROM partition_owners"));
        Assert.Equal(0L, await database.ScalarAsync<long>("SELECT count(*) FROM ticks"));
        Assert.Equal(0, await silo.StopAsync(Deadline));
    }

    private static PartitionProbePublisher NewPublisher(RabbitMqConnection connection, RabbitMqTickStream stream, RabbitMqStatistics statistics) =>
        new(
            connection,
            stream,
            Options.Create(new PartitionProbeOptions { Interval = Interval }),
            statistics,
            TimeProvider.System,
            NullLogger<PartitionProbePublisher>.Instance);
}
