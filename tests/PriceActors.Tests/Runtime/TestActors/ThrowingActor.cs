using PriceActors.Runtime;

namespace PriceActors.Tests.Runtime.TestActors;

/// <summary>Keeps a count and throws on demand, synchronously for one-way messages and after an await for requests.</summary>
[ActorType("throwing")]
internal interface IThrowingActor : IActor, IHandle<Fail>, IHandle<FailRequest, int>, IHandle<Add, int>;

internal sealed record Fail(string Reason);

internal sealed record FailRequest(string Reason) : IRequest<int>;

internal sealed class ThrowingActor : Actor, IThrowingActor
{
    private int count;

    public ValueTask HandleAsync(Fail message) => throw new InvalidOperationException(message.Reason);

    public async ValueTask<int> HandleAsync(FailRequest request)
    {
        await Task.Yield();
        throw new InvalidOperationException(request.Reason);
    }

    public ValueTask<int> HandleAsync(Add request)
    {
        count += request.Amount;
        return ValueTask.FromResult(count);
    }
}
