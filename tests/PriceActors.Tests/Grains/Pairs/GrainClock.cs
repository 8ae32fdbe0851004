using System.Diagnostics;
using PriceActors.Grains.Pairs;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary>
/// The clock of a test silo's grains (<c>TimeProviderNames.Grains</c>): the time is the test's manual clock, and so are
/// the timers our grains register, while the timers Orleans registers for itself through the same provider (the
/// streams' pulling agents among them) run on real time, so that streams deliver without the test moving its clock.
/// A timer is ours when it is created from code of the grains' assembly.
/// </summary>
internal sealed class GrainClock(ManualTimeProvider manual) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => manual.GetUtcNow();

    public override long TimestampFrequency => manual.TimestampFrequency;

    public override long GetTimestamp() => manual.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new StackTrace().GetFrames().Any(f => f.GetMethod()?.DeclaringType?.Assembly == typeof(PairGrain).Assembly)
            ? manual.CreateTimer(callback, state, dueTime, period)
            : System.CreateTimer(callback, state, dueTime, period);
}
