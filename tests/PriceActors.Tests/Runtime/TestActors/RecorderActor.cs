using PriceActors.Runtime;
using PriceActors.Tests.Runtime.Support;
using DeactivationReason = PriceActors.Runtime.DeactivationReason;

namespace PriceActors.Tests.Runtime.TestActors;

/// <summary>Writes down everything that happens to it, in order; the workhorse of the runtime tests.</summary>
[ActorType("recorder")]
internal interface IRecorderActor : IActor,
    IHandle<Append>, IHandle<Block>, IHandle<SetKeepAlive>, IHandle<Deactivate>,
    IHandle<StartTimer>, IHandle<StopTimer>, IHandle<PostTurnWhen>, IHandle<GetLog, RecorderLog>;

internal sealed record Append(string Entry);

/// <summary>Enters the handler, signals the probe, then waits at the probe gate <paramref name="Gate"/>.</summary>
internal sealed record Block(string Gate);

internal sealed record SetKeepAlive(bool Value);

internal sealed record Deactivate;

internal sealed record StartTimer(TimeSpan DueTime, TimeSpan Period, bool Throws = false);

internal sealed record StopTimer;

/// <summary>Once <paramref name="Trigger"/> completes (outside any turn), the actor posts itself a turn that records <paramref name="Entry"/>.</summary>
internal sealed record PostTurnWhen(Task Trigger, string Entry);

internal sealed record GetLog : IRequest<RecorderLog>;

/// <summary>What one activation has recorded.</summary>
internal sealed record RecorderLog(int Instance, IReadOnlyList<string> Entries, int Overlaps);

internal class RecorderActor(ActorProbe probe) : Actor, IRecorderActor
{
    private readonly List<string> entries = [];
    private readonly TurnDetector turns = new();
    private IDisposable? timer;
    private int ticks;

    private int Instance { get; set; }

    public override async ValueTask OnActivateAsync(CancellationToken cancellationToken)
    {
        Instance = probe.NextInstance();
        entries.Add("activate");
        await probe.PassAsync(ActorProbe.ActivationGate(Key));
        if (probe.TakeActivationFailure(Key))
        {
            throw new InvalidOperationException($"{Key} failed to load its state");
        }
    }

    public override async ValueTask OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.Deactivated(new Deactivation(Key, Instance, reason, [.. entries]));
        await probe.PassAsync(ActorProbe.DeactivationGate(Key));
    }

    public async ValueTask HandleAsync(Append message)
    {
        using var turn = turns.Enter();
        await Task.Yield();
        entries.Add(message.Entry);
    }

    public async ValueTask HandleAsync(Block message)
    {
        using var turn = turns.Enter();
        entries.Add($"enter {message.Gate}");
        probe.Entered(message.Gate);
        await probe.PassAsync(message.Gate);
        entries.Add($"exit {message.Gate}");
    }

    public ValueTask HandleAsync(SetKeepAlive message)
    {
        KeepAlive = message.Value;
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(Deactivate message)
    {
        DeactivateOnIdle();
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(StartTimer message)
    {
        timer = RegisterTimer(_ => TickAsync(message.Throws), message.DueTime, message.Period);
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(StopTimer message)
    {
        timer?.Dispose();
        return ValueTask.CompletedTask;
    }

    public ValueTask HandleAsync(PostTurnWhen message)
    {
        _ = message.Trigger.ContinueWith(
            _ => PostTurn(async () =>
            {
                using var turn = turns.Enter();
                await Task.Yield();
                entries.Add(message.Entry);
            }),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return ValueTask.CompletedTask;
    }

    public ValueTask<RecorderLog> HandleAsync(GetLog request) =>
        ValueTask.FromResult(new RecorderLog(Instance, [.. entries], turns.Overlaps));

    private async ValueTask TickAsync(bool throws)
    {
        using var turn = turns.Enter();
        ticks++;
        entries.Add($"tick {ticks}");
        probe.Ticked(Key, ticks);
        await Task.Yield();
        if (throws)
        {
            throw new InvalidOperationException($"tick {ticks} failed");
        }
    }
}
