using System.Collections.Concurrent;
using PriceActors.Runtime;
using DeactivationReason = PriceActors.Runtime.DeactivationReason;

namespace PriceActors.Tests.Runtime.Support;

/// <summary>
/// Shared by a test and its actors (a singleton in the container): gates the actors wait at,
/// signals they raise, and what each activation did. Gates are open unless a test holds them.
/// </summary>
internal sealed class ActorProbe
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> gates = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> signals = new();
    private readonly ConcurrentDictionary<string, int> activationFailures = new();
    private readonly ConcurrentQueue<Deactivation> deactivations = new();
    private int instances;
    private volatile bool releasedAll;

    /// <summary>Actor instances created so far; each activation numbers itself with <see cref="NextInstance"/>.</summary>
    public int Instances => Volatile.Read(ref instances);

    public IReadOnlyList<Deactivation> Deactivations => [.. deactivations];

    public static string ActivationGate(string key) => $"activate/{key}";

    public static string DeactivationGate(string key) => $"deactivate/{key}";

    public int NextInstance() => Interlocked.Increment(ref instances);

    /// <summary>Closes a gate: an actor reaching it waits until <see cref="Release"/>.</summary>
    public void Hold(string gate)
    {
        var source = gates.GetOrAdd(gate, _ => NewSource());
        if (releasedAll)
        {
            source.TrySetResult();
        }
    }

    public void Release(string gate)
    {
        if (gates.TryGetValue(gate, out var source))
        {
            source.TrySetResult();
        }
    }

    /// <summary>Opens every gate, now and later, so that disposing the runtime never waits on one.</summary>
    public void ReleaseAll()
    {
        releasedAll = true;
        foreach (var source in gates.Values)
        {
            source.TrySetResult();
        }
    }

    public Task PassAsync(string gate) => gates.TryGetValue(gate, out var source) ? source.Task : Task.CompletedTask;

    public void Entered(string gate) => Signal($"entered/{gate}");

    public Task WhenEntered(string gate) => WhenSignaled($"entered/{gate}");

    public void Ticked(string key, int tick) => Signal($"tick/{key}/{tick}");

    public Task WhenTicked(string key, int tick) => WhenSignaled($"tick/{key}/{tick}");

    public void Deactivated(Deactivation deactivation)
    {
        deactivations.Enqueue(deactivation);
        Signal($"deactivating/{deactivation.Instance}");
    }

    /// <summary>Completes when <c>OnDeactivateAsync</c> of the given instance has started.</summary>
    public async Task<Deactivation> WhenDeactivating(int instance)
    {
        await WhenSignaled($"deactivating/{instance}");
        return deactivations.Single(d => d.Instance == instance);
    }

    /// <summary>The next <paramref name="count"/> activations of <paramref name="key"/> throw from <c>OnActivateAsync</c>.</summary>
    public void FailActivations(string key, int count) => activationFailures[key] = count;

    public bool TakeActivationFailure(string key)
    {
        while (activationFailures.TryGetValue(key, out var left) && left > 0)
        {
            if (activationFailures.TryUpdate(key, left - 1, left))
            {
                return true;
            }
        }

        return false;
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private void Signal(string name) => signals.GetOrAdd(name, _ => NewSource()).TrySetResult();

    private Task WhenSignaled(string name) => signals.GetOrAdd(name, _ => NewSource()).Task.WithDeadline();
}

/// <summary>One activation ending: which instance, why, and what it had handled by then.</summary>
internal sealed record Deactivation(string Key, int Instance, DeactivationReason Reason, IReadOnlyList<string> Entries);
