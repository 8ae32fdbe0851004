using Microsoft.Extensions.Logging.Abstractions;
using PriceActors.Runtime;
using PriceActors.Tests.Runtime.Support;
using PriceActors.Tests.Runtime.TestActors;
using DeactivationReason = PriceActors.Runtime.DeactivationReason;

namespace PriceActors.Tests.Runtime;

/// <summary>
/// The idle check an activation makes in the collector's turn, tested on an activation the test
/// owns: through the runtime, a message sent to learn the outcome would itself make the actor busy.
/// </summary>
public sealed partial class ActivationTests
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task TryDeactivate_IdleAndNotKeptAlive_ClosesWithReasonIdle()
    {
        await using var test = TestRuntime.Start(o => o.IdleTimeout = IdleTimeout);
        var activation = await StartActivationAsync(test);
        test.Clock.Advance(IdleTimeout);

        activation.TryDeactivate(DeactivationReason.Idle);

        Assert.True(activation.IsClosing);
        await activation.Ended.WithDeadline();
        Assert.Equal(DeactivationReason.Idle, Assert.Single(test.Probe.Deactivations).Reason);
    }

    [Fact]
    public async Task TryDeactivate_IdleButKeptAlive_StaysOpen()
    {
        await using var test = TestRuntime.Start(o => o.IdleTimeout = IdleTimeout);
        var activation = await StartActivationAsync(test, new SetKeepAlive(true));
        test.Clock.Advance(IdleTimeout);

        activation.TryDeactivate(DeactivationReason.Idle);

        Assert.False(activation.IsClosing);
        await EndAsync(activation);
    }

    [Fact]
    public async Task TryDeactivate_IdleTimeoutNotReached_StaysOpen()
    {
        await using var test = TestRuntime.Start(o => o.IdleTimeout = IdleTimeout);
        var activation = await StartActivationAsync(test);
        test.Clock.Advance(IdleTimeout - TimeSpan.FromSeconds(1));

        activation.TryDeactivate(DeactivationReason.Idle);

        Assert.False(activation.IsClosing);
        await EndAsync(activation);
    }

    [Fact]
    public async Task TryDeactivate_MessageQueued_StaysOpen()
    {
        await using var test = TestRuntime.Start(o => o.IdleTimeout = IdleTimeout);
        test.Probe.Hold("busy");
        var activation = await StartActivationAsync(test, new Block("busy"));
        Assert.True(activation.TryPost(new MessageEnvelope(new Append("queued"))));
        test.Clock.Advance(IdleTimeout);

        activation.TryDeactivate(DeactivationReason.Idle);

        Assert.False(activation.IsClosing);
        test.Probe.Release("busy");
        await EndAsync(activation);
    }

    [Fact]
    public async Task TryDeactivate_RequestedWhileKeptAlive_Closes()
    {
        await using var test = TestRuntime.Start(o => o.IdleTimeout = IdleTimeout);
        var activation = await StartActivationAsync(test, new SetKeepAlive(true));

        activation.TryDeactivate(DeactivationReason.Requested);

        await activation.Ended.WithDeadline();
        Assert.Equal(DeactivationReason.Requested, Assert.Single(test.Probe.Deactivations).Reason);
    }

    /// <summary>An activated recorder outside the runtime's directory, after it handled <paramref name="first"/>.</summary>
    private static async Task<Activation> StartActivationAsync(TestRuntime test, object? first = null)
    {
        var registration = new ActorRegistration(typeof(IRecorderActor), typeof(RecorderActor));
        var activation = new Activation(test.Runtime, new ActorId(registration.TypeName, "owned"), registration, NullLogger.Instance);
        activation.EnsureStarted();
        if (first is Block block)
        {
            Assert.True(activation.TryPost(new MessageEnvelope(block)));
            await test.Probe.WhenEntered(block.Gate);
            return activation;
        }

        if (first is not null)
        {
            Assert.True(activation.TryPost(new MessageEnvelope(first)));
        }

        var log = new RequestEnvelope<RecorderLog>(new GetLog());
        Assert.True(activation.TryPost(log));
        await log.Reply.WithDeadline();
        return activation;
    }

    private static async Task EndAsync(Activation activation)
    {
        activation.Close(DeactivationReason.Shutdown);
        await activation.Ended.WithDeadline();
    }
}
