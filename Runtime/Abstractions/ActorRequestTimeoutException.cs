namespace PriceActors.Runtime;

/// <summary>A request got no reply in time: the actor is busy, unreachable or its owner is gone.</summary>
public sealed class ActorRequestTimeoutException : TimeoutException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="target">The actor asked.</param>
    /// <param name="requestType">The request's type.</param>
    /// <param name="timeout">How long the caller waited.</param>
    public ActorRequestTimeoutException(ActorId target, Type requestType, TimeSpan timeout)
        : base($"Actor {target} did not answer {requestType.Name} within {timeout.TotalMilliseconds:0} ms.")
    {
        Target = target;
    }

    /// <summary>The actor asked.</summary>
    public ActorId Target { get; }
}
