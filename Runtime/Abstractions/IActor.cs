namespace PriceActors.Runtime;

/// <summary>
/// Marks an actor contract (Orleans: a grain interface). A contract lists the messages its actor
/// handles by also implementing <see cref="IHandle{TMessage}"/> and <see cref="IHandle{TRequest, TResponse}"/>.
/// </summary>
public interface IActor;
