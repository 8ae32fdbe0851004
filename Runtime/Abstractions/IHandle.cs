namespace PriceActors.Runtime;

/// <summary>An actor handles the one-way message <typeparamref name="TMessage"/>.</summary>
/// <typeparam name="TMessage">The message type.</typeparam>
public interface IHandle<in TMessage>
    where TMessage : notnull
{
    /// <summary>Handles one message; the actor receives no other message until the returned task completes.</summary>
    /// <param name="message">The message.</param>
    ValueTask HandleAsync(TMessage message);
}

/// <summary>An actor answers the request <typeparamref name="TRequest"/> with a <typeparamref name="TResponse"/>.</summary>
/// <typeparam name="TRequest">The request type.</typeparam>
/// <typeparam name="TResponse">The reply type.</typeparam>
public interface IHandle<in TRequest, TResponse>
    where TRequest : IRequest<TResponse>
{
    /// <summary>Answers one request; the actor receives no other message until the returned task completes.</summary>
    /// <param name="request">The request.</param>
    ValueTask<TResponse> HandleAsync(TRequest request);
}
