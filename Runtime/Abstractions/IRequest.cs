namespace PriceActors.Runtime;

/// <summary>A message that expects exactly one reply of type <typeparamref name="TResponse"/>.</summary>
/// <typeparam name="TResponse">The reply's type.</typeparam>
public interface IRequest<TResponse>;
