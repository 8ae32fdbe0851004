namespace PriceActors.Runtime;

/// <summary>
/// Carries messages to actors. The in-process <see cref="ActorRuntime"/> delivers to local
/// activations; a cluster transport carries them to the silo owning the actor's partition.
/// Actor code never sees which one it runs on.
/// </summary>
public interface IActorTransport
{
    /// <summary>Queues a one-way message for an actor.</summary>
    /// <param name="target">The actor.</param>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels waiting for mailbox space.</param>
    ValueTask SendAsync(ActorId target, object message, CancellationToken cancellationToken);

    /// <summary>Sends a request and waits for the reply.</summary>
    /// <typeparam name="TResponse">The reply type.</typeparam>
    /// <param name="target">The actor.</param>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    Task<TResponse> RequestAsync<TResponse>(ActorId target, IRequest<TResponse> request, CancellationToken cancellationToken);
}
