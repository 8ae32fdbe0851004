using PriceActors.Runtime;
using PriceActors.Tests.Runtime.Support;

namespace PriceActors.Tests.Runtime.TestActors;

/// <summary>A recorder that starts a timer while activating, as actors that poll or flush do.</summary>
[ActorType("ticker")]
internal interface ITickerActor : IRecorderActor;

internal sealed class TickerActor(ActorProbe probe) : RecorderActor(probe), ITickerActor
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    public override async ValueTask OnActivateAsync(CancellationToken cancellationToken)
    {
        await HandleAsync(new StartTimer(Period, Period));
        await base.OnActivateAsync(cancellationToken);
    }
}
