namespace PriceActors.Runtime;

/// <summary>
/// Hands out actor references that travel over any <see cref="IActorTransport"/>, e.g. a cluster
/// transport in a gateway that hosts no actors itself (Orleans: the client's grain factory).
/// </summary>
/// <param name="transport">Carries the references' messages.</param>
public sealed class TransportActorClient(IActorTransport transport) : IActorClient
{
    /// <inheritdoc/>
    public ActorRef<TActor> GetActor<TActor>(string key)
        where TActor : IActor
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return new ActorRef<TActor>(transport, key);
    }
}
