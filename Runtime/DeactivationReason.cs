namespace PriceActors.Runtime;

/// <summary>Why an activation ends.</summary>
public enum DeactivationReason
{
    /// <summary>No message arrived for <see cref="ActorRuntimeOptions.IdleTimeout"/>.</summary>
    Idle,

    /// <summary>The actor asked for it.</summary>
    Requested,

    /// <summary>The runtime is stopping.</summary>
    Shutdown,
}
