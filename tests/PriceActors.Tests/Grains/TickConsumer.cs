using PriceActors.Grains;
using PriceActors.Grains.Streams;

namespace PriceActors.Tests.Grains;

/// <summary>Consumes a tick stream in the background until disposed; lets a test wait, with a deadline, for batches or ticks.</summary>
internal sealed class TickConsumer : IAsyncDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);
    private readonly Lock gate = new();
    private readonly List<TickBatch> batches = [];
    private readonly List<(Func<bool> Reached, TaskCompletionSource Done)> waiters = [];
    private readonly CancellationTokenSource stopping = new();
    private Task running = Task.CompletedTask;
    private int tickCount;

    public IReadOnlyList<TickBatch> Batches
    {
        get
        {
            lock (gate)
            {
                return [.. batches];
            }
        }
    }

    public IReadOnlyList<Tick> Ticks => [.. Batches.SelectMany(b => b.Ticks.ToArray())];

    public static TickConsumer Start(ITickStream stream)
    {
        var consumer = new TickConsumer();
        consumer.running = stream.ConsumeAsync(consumer.HandleAsync, consumer.stopping.Token);
        return consumer;
    }

    public Task WaitForBatchesAsync(int count) => WaitAsync(() => batches.Count >= count);

    public Task WaitForTicksAsync(int count) => WaitAsync(() => tickCount >= count);

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        await running.WaitAsync(Deadline);
        stopping.Dispose();
    }

    private Task WaitAsync(Func<bool> reached)
    {
        lock (gate)
        {
            if (reached())
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            waiters.Add((reached, done));
            return done.Task.WaitAsync(Deadline);
        }
    }

    private ValueTask HandleAsync(TickBatch batch, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            batches.Add(batch);
            tickCount += batch.Ticks.Length;
            foreach (var waiter in waiters.Where(w => w.Reached()).ToArray())
            {
                waiters.Remove(waiter);
                waiter.Done.TrySetResult();
            }
        }

        return ValueTask.CompletedTask;
    }
}
