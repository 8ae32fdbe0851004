using PriceActors.Runtime;
using PriceActors.Tests.Runtime.Support;
using PriceActors.Tests.Runtime.TestActors;
using DeactivationReason = PriceActors.Runtime.DeactivationReason;

namespace PriceActors.Tests.Runtime;

/// <summary>DeactivateWhereAsync: only the matching actors end, after their queued work; they come back on the next message.</summary>
public sealed partial class ActorRuntimeTests
{
    [Fact]
    public async Task DeactivateWhereAsync_SomeMatch_EndsOnlyThoseAfterTheirQueuedWork()
    {
        await using var test = TestRuntime.Start();
        await test.Recorder("keep").AskAsync(new GetLog()).WithDeadline();
        var moving = await BlockedRecorderAsync(test, "move", "busy");
        await moving.TellAsync(new Append("queued")).WithDeadline();

        var deactivating = test.Runtime.DeactivateWhereAsync(id => id.Key == "move");
        Assert.False(deactivating.IsCompleted);
        test.Probe.Release("busy");
        var count = await deactivating.WithDeadline();

        Assert.Equal(1, count);
        var deactivation = Assert.Single(test.Probe.Deactivations);
        Assert.Equal(("move", DeactivationReason.Requested), (deactivation.Key, deactivation.Reason));
        Assert.Equal(["keep"], test.Runtime.GetActiveKeys(test.Recorder("keep").Id.Type));
        var fresh = await moving.AskAsync(new GetLog()).WithDeadline();
        Assert.Equal(["activate"], fresh.Entries);
    }
}
