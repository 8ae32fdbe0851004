using RabbitMQ.Client;

namespace PriceActors.Silo.RabbitMq.Requests;

/// <summary>
/// Declares a partition's request queue; idempotent, so gateways (before their first request) and
/// owners (before consuming) both do it with the same arguments. Classic and non-durable: requests
/// are transient and expire by their own time to live. A queue nobody consumes or declares for
/// <see cref="Expires"/> is deleted by the broker (left over by a cluster, a benchmark or a test under
/// another prefix); the next owner declares it again.
/// </summary>
internal static class RequestTopology
{
    /// <summary>Requests a queue holds before the broker drops the oldest (long expired, by then).</summary>
    public const int MaxLength = 10_000;

    /// <summary>How long an unused request queue lives.</summary>
    public static readonly TimeSpan Expires = TimeSpan.FromMinutes(30);

    private static readonly Dictionary<string, object?> Arguments = new()
    {
        ["x-max-length"] = MaxLength,
        ["x-expires"] = (int)Expires.TotalMilliseconds,
        ["x-overflow"] = "drop-head",
    };

    public static Task DeclareAsync(IChannel channel, RabbitMqNames names, int partition, CancellationToken cancellationToken) =>
        channel.QueueDeclareAsync(names.RequestQueue(partition), durable: false, exclusive: false, autoDelete: false, Arguments, cancellationToken: cancellationToken);
}
