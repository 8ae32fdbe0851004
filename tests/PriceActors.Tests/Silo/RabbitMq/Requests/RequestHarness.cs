using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Storage;
using PriceActors.Grains.Streams;
using PriceActors.Runtime;
using PriceActors.Silo.RabbitMq.Requests;
using PriceActors.Tests.Grains;

using PriceActors.Tests.Support;

namespace PriceActors.Tests.Silo.RabbitMq.Requests;

/// <summary>
/// Silos (a pair-actor runtime with its request server, each on its own connection) and gateways (a
/// transport on its own connection) in one process against the real broker, under a test prefix
/// whose queues (request queues included) the bus deletes at the end.
/// </summary>
internal sealed class RequestHarness : IAsyncDisposable
{
    public const int Partitions = 4;
    private readonly List<IAsyncDisposable> owned = [];
    private readonly RabbitMqTestBus bus = new(Partitions);

    public RabbitMqRequestOptions Options { get; } = new() { RequestTimeout = TimeSpan.FromSeconds(10) };

    public RabbitMqTestBus Bus => bus;

    public (GrainHost Host, PartitionRequestServer Server, RequestStatistics Statistics) StartSilo()
    {
        var host = GrainHost.StartPairs(TimeProvider.System, new InMemoryStore(Microsoft.Extensions.Options.Options.Create(new InMemoryStoreOptions())));
        var statistics = new RequestStatistics();
        var server = new PartitionRequestServer(
            bus.NewConnection(),
            host.Runtime,
            Microsoft.Extensions.Options.Options.Create(new StreamOptions { PartitionCount = Partitions }),
            Microsoft.Extensions.Options.Options.Create(Options),
            statistics,
            NullLogger<PartitionRequestServer>.Instance,
            TimeProvider.System);
        owned.Add(host);
        owned.Add(server);
        return (host, server, statistics);
    }

    /// <summary>A gateway's transport, started and ready (its reply channel open, the request queues declared), so a short timeout times only the request.</summary>
    public async Task<(RabbitMqActorTransport Transport, IActorClient Client, RequestStatistics Statistics)> StartGatewayAsync(TimeSpan? timeout = null, int maxPending = 10_000)
    {
        var statistics = new RequestStatistics();
        var options = new RabbitMqRequestOptions { RequestTimeout = timeout ?? Options.RequestTimeout, MaxPendingRequests = maxPending };
        var transport = new RabbitMqActorTransport(
            bus.NewConnection(),
            Microsoft.Extensions.Options.Options.Create(options),
            Microsoft.Extensions.Options.Options.Create(new StreamOptions { PartitionCount = Partitions }),
            statistics,
            TimeProvider.System,
            NullLogger<RabbitMqActorTransport>.Instance);
        owned.Add(transport);
        await transport.StartAsync(CancellationToken.None);
        await Eventually.HoldsAsync(() => transport.DownReason is null, TimeSpan.FromSeconds(30), "the gateway's reply channel to open");
        return (transport, new TransportActorClient(transport), statistics);
    }

    /// <summary>Instruments of the given partition, made up until there are enough.</summary>
    public static InstrumentKey[] InstrumentsOf(int partition, int count) =>
        [.. Enumerable.Range(1, 1000)
            .Select(i => InstrumentKey.Create("test", $"REQ{i}USDT"))
            .Where(i => PartitionMap.PartitionOf(i, Partitions) == partition)
            .Take(count)];

    /// <summary>Records trades of now into a silo's pair (their prices have many decimal digits).</summary>
    public static async Task<TicksRecorded> RecordAsync(GrainHost host, InstrumentKey instrument, int count)
    {
        var now = DateTimeOffset.UtcNow;
        var ticks = Enumerable.Range(1, count)
            .Select(i => new Tick(instrument, 100.123456789m + (i * 0.0001m), 0.000100m * i, i, now.AddMilliseconds(i - count), now))
            .ToArray();
        return await host.Pair(instrument).AskAsync(new RecordTicks(ticks));
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = owned.Count - 1; i >= 0; i--)
        {
            await owned[i].DisposeAsync();
        }

        await bus.DisposeAsync();
    }
}
