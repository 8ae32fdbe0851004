using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PriceActors.Grains.Streams;
using PriceActors.Silo.RabbitMq;
using PriceActors.Tests.Support;
using RabbitMQ.Client;

namespace PriceActors.Tests.Silo.RabbitMq;

/// <summary>
/// One test's corner of the shared test broker: a unique name prefix, the connections and streams the
/// test made (each "process" gets its own connection), and on dispose the test's queues and exchange deleted.
/// </summary>
internal sealed class RabbitMqTestBus : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> owned = [];

    public RabbitMqTestBus(int partitions, Action<RabbitMqOptions>? configure = null)
    {
        Partitions = partitions;
        Options = new RabbitMqOptions { Uri = TestServers.RabbitMq, Prefix = "test-" + Guid.NewGuid().ToString("N")[..12] };
        configure?.Invoke(Options);
    }

    public int Partitions { get; }

    public RabbitMqOptions Options { get; }

    public RabbitMqNames Names => new(Options.Prefix);

    /// <summary>
    /// Command-line settings that put a silo or gateway process on this bus: the broker, the prefix and the partition
    /// count, with the elected feeds off (the test is the feed).
    /// </summary>
    public string[] ProcessSettings() =>
    [
        "--RabbitMq:Uri", TestServers.RabbitMq.ToString(),
        "--RabbitMq:Prefix", Options.Prefix,
        "--Streams:PartitionCount", Partitions.ToString(CultureInfo.InvariantCulture),
        "--Cluster:RunFeeds", "false",
    ];

    public RabbitMqConnection NewConnection()
    {
        var connection = new RabbitMqConnection(Microsoft.Extensions.Options.Options.Create(Options), NullLogger<RabbitMqConnection>.Instance, TimeProvider.System);
        owned.Add(connection);
        return connection;
    }

    public RabbitMqTickStream NewTickStream(RabbitMqConnection? connection = null, IPartitionLifecycle? lifecycle = null, RabbitMqStatistics? statistics = null)
    {
        var stream = new RabbitMqTickStream(
            connection ?? NewConnection(),
            Microsoft.Extensions.Options.Options.Create(new StreamOptions { PartitionCount = Partitions }),
            lifecycle ?? NoPartitionLifecycle.Instance,
            statistics ?? new RabbitMqStatistics(),
            NullLogger<RabbitMqTickStream>.Instance,
            TimeProvider.System);
        owned.Add(stream);
        return stream;
    }

    public RabbitMqUpdateStream NewUpdateStream(RabbitMqConnection? connection = null, RabbitMqStatistics? statistics = null, TimeProvider? time = null)
    {
        var stream = new RabbitMqUpdateStream(connection ?? NewConnection(), statistics ?? new RabbitMqStatistics(), NullLogger<RabbitMqUpdateStream>.Instance, time ?? TimeProvider.System);
        owned.Add(stream);
        return stream;
    }

    public static async Task<IConnection> NewAdminConnectionAsync() =>
        await new ConnectionFactory { Uri = TestServers.RabbitMq, AutomaticRecoveryEnabled = false }.CreateConnectionAsync();

    public async ValueTask DisposeAsync()
    {
        for (var i = owned.Count - 1; i >= 0; i--)
        {
            await owned[i].DisposeAsync();
        }

        await using var admin = await NewAdminConnectionAsync();
        await using var channel = await admin.CreateChannelAsync();
        for (var p = 0; p < Partitions; p++)
        {
            await channel.QueueDeleteAsync(Names.TickQueue(p), ifUnused: false, ifEmpty: false);
            await channel.QueueDeleteAsync(Names.RequestQueue(p), ifUnused: false, ifEmpty: false);
        }

        await channel.ExchangeDeleteAsync(Names.UpdateExchange, ifUnused: false);
    }
}
