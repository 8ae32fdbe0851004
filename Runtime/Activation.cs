using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace PriceActors.Runtime;

/// <summary>
/// One live actor: its instance, its bounded mailbox and the loop that runs one turn at a time.
/// The mailbox closes when the activation ends; whatever was queued before that is still handled,
/// and senders that find it closed wait for the end and go to the next activation, so no message
/// is lost and a sender's messages stay in order. If the actor fails to activate, what is queued is
/// failed (requests fault, one-way messages are counted as failed) and the next message tries again.
/// </summary>
internal sealed partial class Activation
{
    private readonly Channel<Envelope> mailbox;
    private readonly ActorRegistration registration;
    private readonly TaskCompletionSource ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<ActorTimer> timers = [];
    private readonly ILogger logger;
    private Actor? actor;
    private int started;
    private int deactivationReason = -1;
    private long lastActivity;

    public Activation(ActorRuntime runtime, ActorId id, ActorRegistration registration, ILogger logger)
    {
        Runtime = runtime;
        Id = id;
        this.registration = registration;
        this.logger = logger;
        lastActivity = runtime.Time.GetTimestamp();
        mailbox = Channel.CreateBounded<Envelope>(new BoundedChannelOptions(runtime.Options.MailboxCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public ActorId Id { get; }

    public ActorRuntime Runtime { get; }

    public CancellationToken Stopping => Runtime.Stopping;

    /// <summary>Completes once the activation has deactivated (or failed to activate) and left the directory.</summary>
    public Task Ended => ended.Task;

    public bool IsClosing => Volatile.Read(ref deactivationReason) >= 0;

    public int QueuedMessages => mailbox.Reader.Count;

    public void EnsureStarted()
    {
        if (Interlocked.Exchange(ref started, 1) == 0)
        {
            _ = Task.Run(RunAsync);
        }
    }

    public bool TryPost(Envelope envelope) => mailbox.Writer.TryWrite(envelope);

    /// <summary>Waits for mailbox space; throws <see cref="ChannelClosedException"/> once the activation is ending.</summary>
    public ValueTask PostAsync(Envelope envelope, CancellationToken cancellationToken) =>
        mailbox.Writer.WriteAsync(envelope, cancellationToken);

    /// <summary>Queues a turn of this activation; waits for mailbox space in the background, drops it once the activation ends.</summary>
    public void PostTurn(Func<ValueTask> turn)
    {
        var envelope = new TurnEnvelope(turn);
        if (!TryPost(envelope) && !IsClosing)
        {
            _ = PostWhenRoomAsync(envelope);
        }
    }

    public bool IsIdle(TimeSpan idleTimeout) =>
        mailbox.Reader.Count == 0 && Runtime.Time.GetElapsedTime(Volatile.Read(ref lastActivity)) >= idleTimeout;

    public ValueTask<object?> Dispatch(Actor instance, object message)
    {
        var handler = registration.Handlers.Find(message.GetType())
            ?? throw new NotSupportedException($"Actor {Id} ({registration.Implementation.Name}) does not handle {message.GetType().Name}.");
        return handler(instance, message);
    }

    /// <summary>Called in a turn: ends the activation unless an idle request finds it busy again.</summary>
    public void TryDeactivate(DeactivationReason reason)
    {
        if (reason == DeactivationReason.Idle
            && (actor?.IsKeptAlive == true || !IsIdle(Runtime.Options.IdleTimeout)))
        {
            return;
        }

        Close(reason);
    }

    public void RequestDeactivation(DeactivationReason reason) => Close(reason);

    /// <summary>Closes the mailbox from outside a turn (shutdown); queued messages are still handled.</summary>
    public void Close(DeactivationReason reason)
    {
        Interlocked.CompareExchange(ref deactivationReason, (int)reason, -1);
        mailbox.Writer.TryComplete();
    }

    public IDisposable RegisterTimer(Func<CancellationToken, ValueTask> callback, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ActorTimer(this, callback, dueTime, period);
        lock (timers)
        {
            timers.Add(timer);
        }

        return timer;
    }

    public void Forget(ActorTimer timer)
    {
        lock (timers)
        {
            timers.Remove(timer);
        }
    }

    private async Task PostWhenRoomAsync(Envelope envelope)
    {
        try
        {
            await PostAsync(envelope, Stopping);
        }
        catch (Exception e) when (e is ChannelClosedException or OperationCanceledException)
        {
            // Ending: the actor's deactivation finishes what the turn would have done.
        }
    }

    private async Task RunAsync()
    {
        Actor instance;
        try
        {
            instance = registration.Create(Runtime.Services);
            instance.Attach(this);
            await instance.OnActivateAsync(Stopping);
        }
        catch (Exception error)
        {
            await FailActivationAsync(error);
            return;
        }

        actor = instance;
        Runtime.CountActivated();
        LogActivated(Id);
        var reader = mailbox.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var envelope))
            {
                await ProcessAsync(instance, envelope);
            }
        }

        await DeactivateAsync(instance);
    }

    private async ValueTask ProcessAsync(Actor instance, Envelope envelope)
    {
        if (envelope.CountsAsActivity)
        {
            Volatile.Write(ref lastActivity, Runtime.Time.GetTimestamp());
        }

        try
        {
            var result = await envelope.InvokeAsync(this, instance);
            if (envelope.CountsAsMessage)
            {
                Runtime.CountProcessed();
            }

            envelope.Complete(result);
        }
        catch (Exception error)
        {
            Runtime.CountFailed();
            LogHandlerFailed(error, Id, envelope.MessageType.Name);
            envelope.Fail(error);
        }
    }

    private void DisposeTimers()
    {
        ActorTimer[] running;
        lock (timers)
        {
            running = [.. timers];
        }

        foreach (var timer in running)
        {
            timer.Dispose();
        }
    }

    private async Task DeactivateAsync(Actor instance)
    {
        DisposeTimers();
        var reason = (DeactivationReason)Math.Max(0, Volatile.Read(ref deactivationReason));
        try
        {
            using var timeout = new CancellationTokenSource(Runtime.Options.ShutdownTimeout, Runtime.Time);
            await instance.OnDeactivateAsync(reason, timeout.Token);
        }
        catch (Exception error)
        {
            LogDeactivationFailed(error, Id, reason);
        }

        LogDeactivated(Id, reason);
        Runtime.CountDeactivated();
        Runtime.Remove(this);
        ended.TrySetResult();
    }

    private async Task FailActivationAsync(Exception error)
    {
        DisposeTimers();
        Runtime.CountActivationFailure();
        LogActivationFailed(error, Id);
        Close(DeactivationReason.Requested);
        var unavailable = new ActorUnavailableException(Id, "activation failed", error);
        await foreach (var envelope in mailbox.Reader.ReadAllAsync())
        {
            if (envelope.CountsAsMessage)
            {
                Runtime.CountFailed();
            }

            envelope.Fail(unavailable);
        }

        Runtime.Remove(this);
        ended.TrySetResult();
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Actor {ActorId} activated")]
    private partial void LogActivated(ActorId actorId);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Actor {ActorId} deactivated ({Reason})")]
    private partial void LogDeactivated(ActorId actorId, DeactivationReason reason);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "Actor {ActorId} failed to handle {MessageType}; the actor keeps going")]
    private partial void LogHandlerFailed(Exception error, ActorId actorId, string messageType);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Actor {ActorId} failed to activate; its queued messages were failed")]
    private partial void LogActivationFailed(Exception error, ActorId actorId);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error, Message = "Actor {ActorId} failed while deactivating ({Reason})")]
    private partial void LogDeactivationFailed(Exception error, ActorId actorId, DeactivationReason reason);
}
