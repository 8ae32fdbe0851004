namespace PriceActors.Grains.Feeds;

/// <summary>
/// Whether this process may publish an exchange's ticks now; a feed asks before each batch. In the cluster a silo may
/// publish only while its lease on the exchange lasts by its own clock, so a silo frozen past its lease (a GC pause,
/// SIGSTOP, a suspended VM) publishes nothing when it wakes, before its election has noticed. Embedded: always.
/// </summary>
public interface IFeedPermit
{
    /// <summary>True while this process may publish <paramref name="exchange"/>'s ticks.</summary>
    /// <param name="exchange">The exchange whose feed asks.</param>
    bool MayPublish(string exchange);
}
