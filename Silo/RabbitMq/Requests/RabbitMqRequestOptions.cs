using System.ComponentModel.DataAnnotations;

namespace PriceActors.Silo.RabbitMq.Requests;

/// <summary>Settings of actor requests over RabbitMQ (cluster mode), bound from the <c>RabbitMq:Requests</c> section.</summary>
public sealed class RabbitMqRequestOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "RabbitMq:Requests";

    /// <summary>
    /// How long a gateway waits for a reply; also each request's time to live in its queue, so a request
    /// to a partition without an owner expires there instead of being answered long after. Default 5 s;
    /// 100 ms to 5 minutes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Requests a gateway has sent and not yet had answered before new ones fail at once with 503
    /// (bounds its memory while the silos are slow). Default 10,000; 1 to 1,000,000.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxPendingRequests { get; set; } = 10_000;

    /// <summary>
    /// Requests a silo handles at the same time per owned partition (each waits for its pair actor); also
    /// the prefetch of the partition's request queue. Default 16; 1 to 1,000.
    /// </summary>
    [Range(1, 1_000)]
    public ushort ConcurrencyPerPartition { get; set; } = 16;
}
