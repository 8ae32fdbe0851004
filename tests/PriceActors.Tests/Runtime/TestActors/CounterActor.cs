using PriceActors.Runtime;

namespace PriceActors.Tests.Runtime.TestActors;

/// <summary>A counter whose increment spans an await, so a second concurrent turn would lose updates.</summary>
[ActorType("counter")]
internal interface ICounterActor : IActor, IHandle<Increment>, IHandle<Add, int>, IHandle<GetCount, CounterState>;

internal sealed record Increment;

internal sealed record Add(int Amount) : IRequest<int>;

internal sealed record GetCount : IRequest<CounterState>;

internal sealed record CounterState(int Count, int Overlaps);

internal sealed class CounterActor : Actor, ICounterActor
{
    private readonly TurnDetector turns = new();
    private int count;

    public async ValueTask HandleAsync(Increment message)
    {
        using var turn = turns.Enter();
        var before = count;
        await Task.Yield();
        count = before + 1;
    }

    public ValueTask<int> HandleAsync(Add request)
    {
        using var turn = turns.Enter();
        count += request.Amount;
        return ValueTask.FromResult(count);
    }

    public ValueTask<CounterState> HandleAsync(GetCount request) =>
        ValueTask.FromResult(new CounterState(count, turns.Overlaps));
}
