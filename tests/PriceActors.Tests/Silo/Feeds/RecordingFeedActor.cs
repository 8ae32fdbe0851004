using PriceActors.Grains;
using PriceActors.Runtime;
using PriceActors.Silo.Membership;
using DeactivationReason = PriceActors.Runtime.DeactivationReason;

namespace PriceActors.Tests.Silo.Feeds;

/// <summary>A feed actor that produces nothing and records when it runs, under its silo's id.</summary>
internal sealed class RecordingFeedActor(FeedRecorder recorder, SiloIdentity silo) : Actor, IExchangeFeedActor
{
    private bool running;

    public ValueTask<FeedStatus> HandleAsync(StartFeed request)
    {
        if (!running)
        {
            running = true;
            recorder.Started(silo.Id, Key);
        }

        return ValueTask.FromResult(Status());
    }

    public ValueTask<FeedStatus> HandleAsync(StopFeed request)
    {
        Stop();
        return ValueTask.FromResult(Status());
    }

    public ValueTask<FeedStatus> HandleAsync(GetFeedStatus request) => ValueTask.FromResult(Status());

    public override ValueTask OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private void Stop()
    {
        if (running)
        {
            running = false;
            recorder.Stopped(silo.Id, Key);
        }
    }

    private FeedStatus Status() => new(Key, running ? FeedState.Running : FeedState.Stopped, "test", 0, 0, null, null);
}
