namespace PriceActors.Runtime;

/// <summary>
/// Base class of an actor implementation (Orleans: <c>Grain</c>). The runtime creates one instance
/// per activation and hands it one message at a time: handler code never runs concurrently with
/// itself, so actor state needs no locks. Services come through the constructor.
/// </summary>
public abstract class Actor : IActor
{
    private Activation? activation;

    /// <summary>This actor's address.</summary>
    protected ActorId Id => Current.Id;

    /// <summary>This actor's key.</summary>
    protected string Key => Current.Id.Key;

    /// <summary>The clock the runtime was given; use it for all time, so tests can drive it.</summary>
    protected TimeProvider Time => Current.Runtime.Time;

    /// <summary>References to other actors.</summary>
    protected IActorClient Actors => Current.Runtime;

    /// <summary>
    /// While true the idle collector leaves this actor alone (Orleans: <c>DelayDeactivation</c>);
    /// a feed that is running sets it.
    /// </summary>
    protected bool KeepAlive { get; set; }

    internal bool IsKeptAlive => KeepAlive;

    private Activation Current => activation
        ?? throw new InvalidOperationException("The actor is not activated yet; use OnActivateAsync, not the constructor.");

    /// <summary>Called once before the first message; load state here.</summary>
    /// <param name="cancellationToken">Cancelled when the runtime stops.</param>
    public virtual ValueTask OnActivateAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Called once after the last message; flush state here.</summary>
    /// <param name="reason">Why the actor is deactivated.</param>
    /// <param name="cancellationToken">Cancelled when shutdown runs out of time.</param>
    public virtual ValueTask OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Registers a timer whose callback runs as a turn of this actor, never concurrently with a
    /// message. A tick that finds the previous one still queued is skipped. Timers do not keep the
    /// actor active and end with the activation.
    /// </summary>
    /// <param name="callback">The turn to run.</param>
    /// <param name="dueTime">Delay before the first tick.</param>
    /// <param name="period">Interval between ticks; <see cref="Timeout.InfiniteTimeSpan"/> for one tick.</param>
    /// <returns>Dispose to cancel the timer.</returns>
    protected IDisposable RegisterTimer(Func<CancellationToken, ValueTask> callback, TimeSpan dueTime, TimeSpan period) =>
        Current.RegisterTimer(callback, dueTime, period);

    /// <summary>
    /// Queues <paramref name="turn"/> to run as a later turn of this activation, behind what its mailbox holds; callable
    /// from any thread, for work that must follow something outside a turn (a write that completed). A turn posted once
    /// the activation is ending does not run: <see cref="OnDeactivateAsync"/> is where to finish what is left.
    /// </summary>
    /// <param name="turn">The work, run with the actor's state as any message handler.</param>
    protected void PostTurn(Func<ValueTask> turn) => Current.PostTurn(turn);

    /// <summary>Asks the runtime to deactivate this actor once the current turn ends.</summary>
    protected void DeactivateOnIdle() => Current.RequestDeactivation(DeactivationReason.Requested);

    internal void Attach(Activation owner) => activation = owner;
}
