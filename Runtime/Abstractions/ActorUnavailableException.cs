namespace PriceActors.Runtime;

/// <summary>A message could not be delivered: the runtime is stopping or the actor failed to activate.</summary>
public sealed class ActorUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="target">The actor addressed.</param>
    /// <param name="reason">Why it is unavailable.</param>
    /// <param name="inner">The cause, if any.</param>
    public ActorUnavailableException(ActorId target, string reason, Exception? inner = null)
        : base($"Actor {target} is unavailable: {reason}", inner)
    {
        Target = target;
    }

    /// <summary>The actor addressed.</summary>
    public ActorId Target { get; }
}
