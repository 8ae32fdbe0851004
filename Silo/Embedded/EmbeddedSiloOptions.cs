using System.ComponentModel.DataAnnotations;

namespace PriceActors.Silo.Embedded;

/// <summary>Settings of the silo the gateway hosts in embedded mode, bound from the <c>Orleans</c> section.</summary>
public sealed class EmbeddedSiloOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Orleans";

    /// <summary>The port of the silo-to-silo listener on the loopback address. Default 11111.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>
    /// The Orleans client gateway port on the loopback address, for tools that connect as a client; 0 (the default)
    /// opens none, as the gateway in this process needs none.
    /// </summary>
    [Range(0, 65535)]
    public int GatewayPort { get; set; }

    /// <summary>How often the memory streams' pulling agents look for new events. Default 10 ms (Orleans' own is 100 ms).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:01")]
    public TimeSpan StreamPollPeriod { get; set; } = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Queues (each a grain with its pulling agent) of each memory stream provider. Default 4: on 2 cores the ingest
    /// bench ran 0.72–1.05M ticks/s with 4 and 0.33–0.84M with 8 (bench/README.md).
    /// </summary>
    [Range(1, 256)]
    public int StreamQueues { get; set; } = 4;

    /// <summary>
    /// At most this many queued rounds of one tick stream reach its router in one delivery (Orleans'
    /// <c>BatchContainerBatchSize</c>), which stores them with one call per pair. Default 64.
    /// </summary>
    [Range(1, 10_000)]
    public int TickRoundsPerDelivery { get; set; } = 64;
}
