using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Reflection;

namespace PriceActors.Runtime;

/// <summary>
/// The messages one actor implementation handles, found once by reflection over its
/// <see cref="IHandle{TMessage}"/> and <see cref="IHandle{TRequest, TResponse}"/> interfaces and
/// compiled into delegates, so dispatching a message costs one dictionary look-up.
/// </summary>
internal sealed class HandlerTable
{
    private static readonly MethodInfo OneWayFactory =
        typeof(HandlerTable).GetMethod(nameof(OneWay), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static readonly MethodInfo RequestFactory =
        typeof(HandlerTable).GetMethod(nameof(Request), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly FrozenDictionary<Type, MessageHandler> exact;
    private readonly ConcurrentDictionary<Type, MessageHandler?> derived = new();

    public HandlerTable(Type implementation)
    {
        var handlers = new Dictionary<Type, MessageHandler>();
        foreach (var contract in implementation.GetInterfaces().Where(i => i.IsGenericType))
        {
            var definition = contract.GetGenericTypeDefinition();
            var arguments = contract.GetGenericArguments();
            if (definition == typeof(IHandle<>))
            {
                handlers[arguments[0]] = (MessageHandler)OneWayFactory.MakeGenericMethod(arguments).Invoke(null, null)!;
            }
            else if (definition == typeof(IHandle<,>))
            {
                handlers[arguments[0]] = (MessageHandler)RequestFactory.MakeGenericMethod(arguments).Invoke(null, null)!;
            }
        }

        exact = handlers.ToFrozenDictionary();
    }

    /// <summary>Invokes the handler for one message; the result is the reply, or null for a one-way message.</summary>
    public delegate ValueTask<object?> MessageHandler(object actor, object message);

    public IEnumerable<Type> MessageTypes => exact.Keys;

    public MessageHandler? Find(Type messageType) =>
        exact.TryGetValue(messageType, out var handler)
            ? handler
            : derived.GetOrAdd(messageType, t => exact.FirstOrDefault(kv => kv.Key.IsAssignableFrom(t)).Value);

    private static MessageHandler OneWay<TMessage>()
        where TMessage : notnull =>
        static async (actor, message) =>
        {
            await ((IHandle<TMessage>)actor).HandleAsync((TMessage)message);
            return null;
        };

    private static MessageHandler Request<TRequest, TResponse>()
        where TRequest : IRequest<TResponse> =>
        static async (actor, message) => await ((IHandle<TRequest, TResponse>)actor).HandleAsync((TRequest)message);
}
