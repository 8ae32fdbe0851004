using PriceActors.Tests.Support;

namespace PriceActors.Tests.Grains.Feeds;

/// <summary>
/// A manual clock that tells when the feed's publish timer exists: advancing before it does would
/// let the feed start its schedule at the advanced time.
/// </summary>
internal sealed class WatchedClock(ManualTimeProvider inner, TimeSpan publishInterval) : TimeProvider
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly Lock gate = new();
    private readonly List<(int Count, TaskCompletionSource Done)> waiters = [];
    private int publishTimers;

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override long GetTimestamp() => inner.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = inner.CreateTimer(callback, state, dueTime, period);
        if (period == publishInterval)
        {
            lock (gate)
            {
                publishTimers++;
                foreach (var waiter in waiters.Where(w => publishTimers >= w.Count).ToArray())
                {
                    waiters.Remove(waiter);
                    waiter.Done.TrySetResult();
                }
            }
        }

        return timer;
    }

    public void Advance(TimeSpan by) => inner.Advance(by);

    /// <summary>Completes once <paramref name="count"/> publish timers were created in all.</summary>
    public Task WaitForPublishTimersAsync(int count)
    {
        lock (gate)
        {
            if (publishTimers >= count)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((count, done));
            return done.Task.WaitAsync(Deadline);
        }
    }
}
