using Microsoft.Extensions.DependencyInjection;

namespace PriceActors.Runtime;

/// <summary>Which implementation serves an actor contract, and how to build it.</summary>
public sealed class ActorRegistration
{
    private readonly ObjectFactory factory;

    /// <summary>Creates a registration.</summary>
    /// <param name="contract">The actor contract interface.</param>
    /// <param name="implementation">The class implementing it, derived from <see cref="Actor"/>.</param>
    public ActorRegistration(Type contract, Type implementation)
    {
        if (!typeof(Actor).IsAssignableFrom(implementation) || !contract.IsAssignableFrom(implementation))
        {
            throw new ArgumentException($"{implementation.Name} must derive from Actor and implement {contract.Name}.", nameof(implementation));
        }

        Contract = contract;
        Implementation = implementation;
        TypeName = ActorTypeAttribute.NameOf(contract);
        Handlers = new HandlerTable(implementation);
        factory = ActivatorUtilities.CreateFactory(implementation, []);
    }

    /// <summary>The actor contract.</summary>
    public Type Contract { get; }

    /// <summary>The implementation class.</summary>
    public Type Implementation { get; }

    /// <summary>The actor type name used in addresses.</summary>
    public string TypeName { get; }

    internal HandlerTable Handlers { get; }

    internal Actor Create(IServiceProvider services) => (Actor)factory(services, null);
}
