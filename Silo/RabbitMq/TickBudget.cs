namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// Bounds the ticks a publisher holds (buffered or unconfirmed): callers wait, first come first served,
/// until confirmed ticks free room. A request larger than the whole budget is let through when nothing
/// else is held, so an oversized batch cannot wait forever.
/// </summary>
internal sealed class TickBudget(long capacity)
{
    private readonly Lock gate = new();
    private readonly Queue<(long Ticks, TaskCompletionSource Ready)> waiting = new();
    private long held;

    public long Held
    {
        get
        {
            lock (gate)
            {
                return held;
            }
        }
    }

    public Task AcquireAsync(long ticks, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (waiting.Count == 0 && Fits(ticks))
            {
                held += ticks;
                return Task.CompletedTask;
            }

            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiting.Enqueue((ticks, ready));
            return WaitAsync(ready, cancellationToken);
        }
    }

    public void Release(long ticks)
    {
        lock (gate)
        {
            held -= ticks;
            while (waiting.TryPeek(out var next) && (next.Ready.Task.IsCompleted || Fits(next.Ticks)))
            {
                waiting.Dequeue();
                if (next.Ready.TrySetResult())
                {
                    held += next.Ticks;
                }
            }
        }
    }

    private bool Fits(long ticks) => held == 0 || held + ticks <= capacity;

    private async Task WaitAsync(TaskCompletionSource ready, CancellationToken cancellationToken)
    {
        using (cancellationToken.Register(() => ready.TrySetCanceled(cancellationToken)))
        {
            try
            {
                await ready.Task;
            }
            catch (OperationCanceledException)
            {
                // A cancelled waiter at the head must not hold up the ones behind it.
                Release(0);
                throw;
            }
        }
    }
}
