using System.Diagnostics;

namespace PriceActors.Tests.Support;

/// <summary>
/// A clock that runs <c>speed</c> times faster than real time, from now on, timers included: a service that waits
/// minutes by design (Orleans' reminders, whose least period is a minute) does so in seconds under test.
/// </summary>
internal sealed class FastClock(double speed) : TimeProvider
{
    private readonly DateTimeOffset origin = DateTimeOffset.UtcNow;
    private readonly long started = Stopwatch.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => origin + (Stopwatch.GetElapsedTime(started) * speed);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new Timer(System.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    private TimeSpan Scale(TimeSpan span) => span == Timeout.InfiniteTimeSpan || span <= TimeSpan.Zero ? span : span / speed;

    private sealed class Timer(ITimer inner, FastClock clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(clock.Scale(dueTime), clock.Scale(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
