namespace PriceActors.Runtime;

/// <summary>Hands out actor references (Orleans: <c>IGrainFactory</c>).</summary>
public interface IActorClient
{
    /// <summary>A reference to the actor of contract <typeparamref name="TActor"/> with the given key.</summary>
    /// <typeparam name="TActor">The actor contract.</typeparam>
    /// <param name="key">The actor's key.</param>
    ActorRef<TActor> GetActor<TActor>(string key)
        where TActor : IActor;
}
