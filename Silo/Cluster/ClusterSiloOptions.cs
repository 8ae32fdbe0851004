using System.ComponentModel.DataAnnotations;

namespace PriceActors.Silo.Cluster;

/// <summary>
/// Settings of a silo process in a cluster, bound from the <c>Orleans</c> section. Membership's failure detection is
/// Orleans' own <c>ClusterMembershipOptions</c>, bound from <c>Orleans:Membership</c>.
/// </summary>
public sealed class ClusterSiloOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Orleans";

    /// <summary>The cluster's name in the membership table: silos and gateways of one cluster share it. Default <c>priceactors</c>.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_.-]{1,100}$")]
    public string ClusterId { get; set; } = "priceactors";

    /// <summary>The port of the silo-to-silo listener. Default 11111.</summary>
    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    /// <summary>The port gateways (Orleans clients) connect to. Default 30000.</summary>
    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>
    /// The address other silos and the gateways reach this silo at (e.g. <c>127.0.0.1</c> for a loopback cluster); by
    /// default the machine's first non-loopback address. The silo listens on every address.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Queues of the tick stream (each read by one pulling agent on one of the silos). Default 8.</summary>
    [Range(1, 256)]
    public int StreamQueues { get; set; } = 8;

    /// <summary>How often a pulling agent polls its queue. Default 20 ms (Orleans' own is 100 ms).</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:01")]
    public TimeSpan StreamPollPeriod { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// At most this many queued rounds of one tick stream reach its router in one delivery (Orleans'
    /// <c>BatchContainerBatchSize</c>), which stores them with one call per pair: a stream that fell behind catches up
    /// in few deliveries instead of one round at a time. Default 64.
    /// </summary>
    [Range(1, 10_000)]
    public int TickRoundsPerDelivery { get; set; } = 64;

    /// <summary>
    /// How long tick batches a pulling agent took stay hidden from other agents until it confirms them. A queue waits
    /// for the batches a crashed silo had taken for this long, so it bounds recovery after a crash; an agent that needs
    /// longer to deliver gets its batches again (delivered twice, counted once). Default 5 s (Orleans' own is 1 minute).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan TickVisibilityTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Connections the Orleans providers (membership, streams, stream subscriptions, reminders) of this silo share at
    /// most; the store has its own (<c>Postgres:MaxPoolSize</c>). Npgsql's default of 100 a pool would let two silos
    /// exhaust a PostgreSQL of default settings (100 connections). Default 20.
    /// </summary>
    [Range(2, 1000)]
    public int ProviderMaxPoolSize { get; set; } = 20;

    /// <summary>
    /// Whether Orleans' activation rebalancer runs (<c>Orleans:Rebalancer</c> is its <c>ActivationRebalancerOptions</c>):
    /// it moves activations, pair grains above all, between silos until each holds a fair share, so the silos that
    /// started first, or stayed up through another's restart, do not keep every pair. Feeds and tick routers stay where
    /// they are. Default true.
    /// </summary>
    public bool Rebalancing { get; set; } = true;
}
