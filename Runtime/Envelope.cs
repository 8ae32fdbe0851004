namespace PriceActors.Runtime;

/// <summary>One item in an actor's mailbox: a message and where its outcome goes.</summary>
internal abstract class Envelope
{
    /// <summary>Timer ticks and control items do not count as activity for the idle collector.</summary>
    public virtual bool CountsAsActivity => true;

    /// <summary>Control items are not messages: they are not counted as processed or failed.</summary>
    public virtual bool CountsAsMessage => true;

    public abstract Type MessageType { get; }

    public abstract ValueTask<object?> InvokeAsync(Activation activation, Actor actor);

    public virtual void Complete(object? result)
    {
    }

    public virtual void Fail(Exception error)
    {
    }
}

/// <summary>A one-way message: its outcome is only logged and counted.</summary>
internal sealed class MessageEnvelope(object message) : Envelope
{
    public override Type MessageType => message.GetType();

    public override ValueTask<object?> InvokeAsync(Activation activation, Actor actor) => activation.Dispatch(actor, message);
}

/// <summary>A request: its outcome completes the caller's task.</summary>
internal sealed class RequestEnvelope<TResponse>(IRequest<TResponse> request) : Envelope
{
    private readonly TaskCompletionSource<TResponse> reply = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<TResponse> Reply => reply.Task;

    public override Type MessageType => request.GetType();

    public override ValueTask<object?> InvokeAsync(Activation activation, Actor actor) => activation.Dispatch(actor, request);

    public override void Complete(object? result) => reply.TrySetResult((TResponse)result!);

    public override void Fail(Exception error) => reply.TrySetException(error);
}

/// <summary>A timer tick: runs the callback as a turn.</summary>
internal sealed class TimerEnvelope(ActorTimer timer) : Envelope
{
    public override bool CountsAsActivity => false;

    public override Type MessageType => typeof(ActorTimer);

    public override async ValueTask<object?> InvokeAsync(Activation activation, Actor actor)
    {
        await timer.RunAsync();
        return null;
    }
}

/// <summary>A turn the actor posted to itself (<see cref="Actor.PostTurn"/>): runs its work, counted as neither message nor activity.</summary>
internal sealed class TurnEnvelope(Func<ValueTask> turn) : Envelope
{
    public override bool CountsAsActivity => false;

    public override bool CountsAsMessage => false;

    public override Type MessageType => typeof(TurnEnvelope);

    public override async ValueTask<object?> InvokeAsync(Activation activation, Actor actor)
    {
        await turn();
        return null;
    }
}

/// <summary>Asks the activation to end after its current turn, if it is still idle for an idle request.</summary>
internal sealed class DeactivateEnvelope(DeactivationReason reason) : Envelope
{
    public override bool CountsAsActivity => false;

    public override bool CountsAsMessage => false;

    public override Type MessageType => typeof(DeactivateEnvelope);

    public override ValueTask<object?> InvokeAsync(Activation activation, Actor actor)
    {
        activation.TryDeactivate(reason);
        return new ValueTask<object?>((object?)null);
    }
}
