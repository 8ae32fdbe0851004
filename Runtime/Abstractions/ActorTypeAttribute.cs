using System.Collections.Concurrent;
using System.Reflection;

namespace PriceActors.Runtime;

/// <summary>Names an actor contract on the wire and in logs; without it the interface name less its leading I is used.</summary>
/// <param name="name">The actor type name, e.g. <c>pair</c>.</param>
[AttributeUsage(AttributeTargets.Interface, Inherited = false)]
public sealed class ActorTypeAttribute(string name) : Attribute
{
    private static readonly ConcurrentDictionary<Type, string> Names = new();

    /// <summary>The actor type name.</summary>
    public string Name { get; } = name;

    /// <summary>The actor type name of a contract.</summary>
    /// <param name="contract">An interface deriving from <see cref="IActor"/>.</param>
    public static string NameOf(Type contract) => Names.GetOrAdd(contract, static t =>
        t.GetCustomAttribute<ActorTypeAttribute>()?.Name
        ?? (t.Name.StartsWith('I') && t.Name.Length > 1 ? t.Name[1..] : t.Name));
}
