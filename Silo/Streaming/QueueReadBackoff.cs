using Orleans.Runtime.Providers;

namespace PriceActors.Silo.Streaming;

/// <summary>
/// How long a pulling agent waits after a failed read of its queue before reading again: from <c>first</c>, doubling
/// up to <c>most</c>. Orleans' own waits 10 to 20 s, which held the update streams whose queue grain had lived on a
/// silo that died that long after the pairs were back, and would hold the tick streams as long after a PostgreSQL
/// outage.
/// </summary>
internal sealed class QueueReadBackoff(TimeSpan first, TimeSpan most) : IQueueReaderBackoffProvider
{

    /// <summary>The update streams' (memory queues in a silo): 100 ms to 1 s.</summary>
    public static IQueueReaderBackoffProvider Updates(IServiceProvider services, string name) =>
        new QueueReadBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));

    /// <summary>The tick streams' (PostgreSQL, or memory queues in embedded mode): 250 ms to 5 s.</summary>
    public static IQueueReaderBackoffProvider Ticks(IServiceProvider services, string name) =>
        new QueueReadBackoff(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(5));

    /// <inheritdoc/>
    public TimeSpan Next(int attempt)
    {
        var wait = first * Math.Pow(2, Math.Clamp(attempt - 1, 0, 16));
        return wait < most ? wait : most;
    }
}
