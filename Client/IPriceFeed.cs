namespace PriceActors.Client;

/// <summary>One connection to a gateway over one transport.</summary>
public interface IPriceFeed
{
    /// <summary>
    /// Connects, subscribes (resuming from <paramref name="since"/>) and hands every message to <paramref name="received"/>
    /// until the connection ends (returns or throws) or <paramref name="cancellationToken"/> is signalled.
    /// </summary>
    Task RunAsync(IReadOnlyDictionary<string, Position> since, Action<StreamEvent> received, CancellationToken cancellationToken);
}
