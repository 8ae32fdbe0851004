namespace PriceActors.Runtime;

/// <summary>
/// A reference to an actor (Orleans: a grain reference). Cheap to create and copy; the actor is
/// activated by the first message it receives, wherever the transport puts it.
/// </summary>
/// <typeparam name="TActor">The actor contract.</typeparam>
public readonly struct ActorRef<TActor>
    where TActor : IActor
{
    private readonly IActorTransport transport;

    internal ActorRef(IActorTransport transport, string key)
    {
        this.transport = transport;
        Id = new ActorId(ActorTypeAttribute.NameOf(typeof(TActor)), key);
    }

    /// <summary>The actor's address.</summary>
    public ActorId Id { get; }

    /// <summary>
    /// Sends a one-way message. Completes once the message is queued; waits while the actor's
    /// mailbox is full (back-pressure). A request sent this way has its reply discarded.
    /// </summary>
    /// <param name="message">The message.</param>
    /// <param name="cancellationToken">Cancels waiting for mailbox space.</param>
    public ValueTask TellAsync(object message, CancellationToken cancellationToken = default) =>
        transport.SendAsync(Id, message, cancellationToken);

    /// <summary>Sends a request and waits for its reply or for the transport's request timeout.</summary>
    /// <typeparam name="TResponse">The reply type.</typeparam>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <exception cref="ActorRequestTimeoutException">No reply came within the timeout.</exception>
    public Task<TResponse> AskAsync<TResponse>(IRequest<TResponse> request, CancellationToken cancellationToken = default) =>
        transport.RequestAsync(Id, request, cancellationToken);

    /// <inheritdoc/>
    public override string ToString() => Id.ToString();
}
