using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace PriceActors.Runtime;

/// <summary>
/// The in-process actor runtime (Orleans: the silo's catalog, dispatcher and activation collector).
/// Actors are activated on their first message, handle one message at a time from a bounded
/// mailbox, and are deactivated after <see cref="ActorRuntimeOptions.IdleTimeout"/> without messages.
/// It is also the <see cref="IActorTransport"/> for actors it hosts.
/// </summary>
public sealed class ActorRuntime : IActorClient, IActorTransport, IAsyncDisposable
{
    private readonly ConcurrentDictionary<ActorId, Activation> activations = new();
    private readonly FrozenDictionary<string, ActorRegistration> registrations;
    private readonly CancellationTokenSource stopping = new();
    private readonly ILogger<ActorRuntime> logger;
    private readonly ITimer collector;
    private long activated;
    private long deactivated;
    private long activationFailures;
    private long processed;
    private long failed;
    private long mailboxFullWaits;
    private long timerTicksSkipped;

    /// <summary>Creates the runtime; actors are registered through <c>AddActorRuntime().AddActor&lt;,&gt;()</c>.</summary>
    /// <param name="services">Where actor constructors get their services.</param>
    /// <param name="registrations">The actor types this runtime hosts.</param>
    /// <param name="options">Runtime settings.</param>
    /// <param name="time">The clock for timers, idle collection and request timeouts.</param>
    /// <param name="logger">Where activations and failures are logged.</param>
    public ActorRuntime(
        IServiceProvider services,
        IEnumerable<ActorRegistration> registrations,
        IOptions<ActorRuntimeOptions> options,
        TimeProvider time,
        ILogger<ActorRuntime> logger)
    {
        Services = services;
        Options = options.Value;
        Time = time;
        this.logger = logger;
        this.registrations = registrations.ToFrozenDictionary(r => r.TypeName);
        collector = time.CreateTimer(static s => ((ActorRuntime)s!).CollectIdle(), this, Options.CollectionInterval, Options.CollectionInterval);
    }

    /// <summary>The clock every actor uses.</summary>
    public TimeProvider Time { get; }

    internal IServiceProvider Services { get; }

    internal ActorRuntimeOptions Options { get; }

    internal CancellationToken Stopping => stopping.Token;

    /// <inheritdoc/>
    public ActorRef<TActor> GetActor<TActor>(string key)
        where TActor : IActor
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        return new ActorRef<TActor>(this, key);
    }

    /// <inheritdoc/>
    public ValueTask SendAsync(ActorId target, object message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        return PostAsync(target, new MessageEnvelope(message), cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<TResponse> RequestAsync<TResponse>(ActorId target, IRequest<TResponse> request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var envelope = new RequestEnvelope<TResponse>(request);

        // The timeout also covers waiting for mailbox space: a stuck actor with a full mailbox must not hang its callers.
        using var timeout = new CancellationTokenSource(Options.RequestTimeout, Time);
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
        try
        {
            await PostAsync(target, envelope, waiting.Token);
            return await envelope.Reply.WaitAsync(waiting.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested && !envelope.Reply.IsCompleted)
        {
            throw new ActorRequestTimeoutException(target, request.GetType(), Options.RequestTimeout);
        }
    }

    /// <summary>The runtime's counters now.</summary>
    public ActorRuntimeStatistics GetStatistics() => new(
        activations.Count,
        Interlocked.Read(ref activated),
        Interlocked.Read(ref deactivated),
        Interlocked.Read(ref activationFailures),
        Interlocked.Read(ref processed),
        Interlocked.Read(ref failed),
        Interlocked.Read(ref mailboxFullWaits),
        Interlocked.Read(ref timerTicksSkipped));

    /// <summary>Active actors of one type, by key (for dashboards and tests).</summary>
    /// <param name="typeName">An actor type name.</param>
    public IReadOnlyList<string> GetActiveKeys(string typeName) =>
        [.. activations.Keys.Where(id => id.Type == typeName).Select(id => id.Key)];

    /// <summary>
    /// Deactivates the active actors whose address matches, after what is already queued for them,
    /// and waits until they have (e.g. when a partition moves to another silo). A message sent to one
    /// of them meanwhile activates it afresh once it has ended.
    /// </summary>
    /// <param name="predicate">Which actors.</param>
    /// <param name="cancellationToken">Gives up waiting.</param>
    /// <returns>How many were deactivated.</returns>
    public async Task<int> DeactivateWhereAsync(Func<ActorId, bool> predicate, CancellationToken cancellationToken = default)
    {
        var ending = activations.Values.Where(a => predicate(a.Id)).ToArray();
        foreach (var activation in ending)
        {
            activation.Close(DeactivationReason.Requested);
        }

        await Task.WhenAll(ending.Select(a => a.Ended)).WaitAsync(cancellationToken);
        return ending.Length;
    }

    /// <summary>
    /// Stops accepting messages, lets every actor finish what is queued and deactivate, and waits
    /// for that up to <see cref="ActorRuntimeOptions.ShutdownTimeout"/>.
    /// </summary>
    /// <param name="cancellationToken">Gives up waiting.</param>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (stopping.IsCancellationRequested)
        {
            return;
        }

        await stopping.CancelAsync();
        await collector.DisposeAsync();
        var ending = activations.Values.ToArray();
        foreach (var activation in ending)
        {
            activation.Close(DeactivationReason.Shutdown);
        }

        try
        {
            await Task.WhenAll(ending.Select(a => a.Ended)).WaitAsync(Options.ShutdownTimeout, Time, cancellationToken);
            logger.LogInformation("Actor runtime stopped; {Count} actors deactivated", ending.Length);
        }
        catch (TimeoutException)
        {
            logger.LogWarning("Actor runtime stopped with {Count} actors still busy after {Timeout}", activations.Count, Options.ShutdownTimeout);
        }
    }

    /// <inheritdoc/>
    /// <remarks>The stopping token stays usable: an actor still busy after a timed-out shutdown may read it.</remarks>
    public async ValueTask DisposeAsync() => await StopAsync();

    internal void Remove(Activation activation)
    {
        activations.TryRemove(new KeyValuePair<ActorId, Activation>(activation.Id, activation));
    }

    internal void CountActivated() => Interlocked.Increment(ref activated);

    internal void CountActivationFailure() => Interlocked.Increment(ref activationFailures);

    internal void CountProcessed() => Interlocked.Increment(ref processed);

    internal void CountFailed() => Interlocked.Increment(ref failed);

    internal void CountSkippedTimerTick() => Interlocked.Increment(ref timerTicksSkipped);

    internal void CountDeactivated() => Interlocked.Increment(ref deactivated);

    private ValueTask PostAsync(ActorId target, Envelope envelope, CancellationToken cancellationToken)
    {
        // Post, then start: the message that activates an actor is always in its mailbox when
        // OnActivateAsync runs, so if activation fails, that message's sender learns it.
        var activation = GetOrActivate(target);
        var posted = activation.TryPost(envelope);
        activation.EnsureStarted();
        return posted ? ValueTask.CompletedTask : PostSlowAsync(target, activation, envelope, cancellationToken);
    }

    private async ValueTask PostSlowAsync(ActorId target, Activation activation, Envelope envelope, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!activation.IsClosing)
            {
                Interlocked.Increment(ref mailboxFullWaits);
                try
                {
                    await activation.PostAsync(envelope, cancellationToken);
                    return;
                }
                catch (ChannelClosedException)
                {
                    // The activation is ending: its queued messages are still handled; ours goes to the next one.
                }
            }

            await activation.Ended.WaitAsync(cancellationToken);
            activation = GetOrActivate(target);
            var posted = activation.TryPost(envelope);
            activation.EnsureStarted();
            if (posted)
            {
                return;
            }
        }
    }

    private Activation GetOrActivate(ActorId target)
    {
        if (stopping.IsCancellationRequested)
        {
            throw new ActorUnavailableException(target, "the actor runtime is stopping");
        }

        // Not started here: callers post their message first, then start it.
        var activation = activations.GetOrAdd(target, static (id, runtime) => runtime.CreateActivation(id), this);
        if (stopping.IsCancellationRequested)
        {
            // StopAsync may have listed the activations before this one was added: close it here,
            // and start it so it ends (and completes Ended) like every other activation.
            activation.Close(DeactivationReason.Shutdown);
            activation.EnsureStarted();
            throw new ActorUnavailableException(target, "the actor runtime is stopping");
        }

        return activation;
    }

    private Activation CreateActivation(ActorId id)
    {
        if (!registrations.TryGetValue(id.Type, out var registration))
        {
            throw new ArgumentException($"No actor type '{id.Type}' is registered in this runtime.", nameof(id));
        }

        return new Activation(this, id, registration, logger);
    }

    private void CollectIdle()
    {
        foreach (var activation in activations.Values)
        {
            if (activation.IsIdle(Options.IdleTimeout))
            {
                activation.TryPost(new DeactivateEnvelope(DeactivationReason.Idle));
            }
        }
    }
}
