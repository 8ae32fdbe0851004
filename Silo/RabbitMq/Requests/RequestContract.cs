using PriceActors.Runtime;

namespace PriceActors.Silo.RabbitMq.Requests;

/// <summary>One request type the bus carries: its wire name, its reply's wire name and type, and how an owner asks its actor.</summary>
/// <param name="Name">The request's wire name (the message's <c>type</c> property).</param>
/// <param name="RequestType">The request's .NET type.</param>
/// <param name="ReplyName">The reply's wire name.</param>
/// <param name="ReplyType">The reply's .NET type (the body may be JSON <c>null</c> when the reply may be absent).</param>
/// <param name="AskAsync">Asks the target through a local transport and returns the boxed reply.</param>
internal sealed record RequestContract(
    string Name,
    Type RequestType,
    string ReplyName,
    Type ReplyType,
    Func<IActorTransport, ActorId, object, CancellationToken, Task<object?>> AskAsync)
{
    public static RequestContract Of<TRequest, TResponse>()
        where TRequest : IRequest<TResponse> =>
        new(
            typeof(TRequest).Name,
            typeof(TRequest),
            typeof(TResponse).Name,
            typeof(TResponse),
            async (actors, target, request, cancellationToken) => await actors.RequestAsync(target, (TRequest)request, cancellationToken));
}
