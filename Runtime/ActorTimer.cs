namespace PriceActors.Runtime;

/// <summary>
/// A timer of one activation. Its ticks travel through the mailbox, so the callback runs as a
/// turn; a tick that finds the previous one still queued is skipped rather than piled up.
/// </summary>
internal sealed class ActorTimer : IDisposable
{
    private readonly Activation owner;
    private readonly Func<CancellationToken, ValueTask> callback;
    private readonly ITimer timer;
    private int queued;
    private volatile bool disposed;

    public ActorTimer(Activation owner, Func<CancellationToken, ValueTask> callback, TimeSpan dueTime, TimeSpan period)
    {
        this.owner = owner;
        this.callback = callback;
        timer = owner.Runtime.Time.CreateTimer(static state => ((ActorTimer)state!).Fire(), this, dueTime, period);
    }

    public async ValueTask RunAsync()
    {
        Volatile.Write(ref queued, 0);
        if (!disposed)
        {
            await callback(owner.Stopping);
        }
    }

    public void Dispose()
    {
        disposed = true;
        timer.Dispose();
        owner.Forget(this);
    }

    private void Fire()
    {
        if (disposed)
        {
            return;
        }

        if (Interlocked.Exchange(ref queued, 1) == 1)
        {
            owner.Runtime.CountSkippedTimerTick();
            return;
        }

        if (!owner.TryPost(new TimerEnvelope(this)))
        {
            owner.Runtime.CountSkippedTimerTick();
            Volatile.Write(ref queued, 0);
        }
    }
}
