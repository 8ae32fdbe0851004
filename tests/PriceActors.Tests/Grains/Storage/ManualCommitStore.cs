using PriceActors.Grains;
using PriceActors.Grains.Storage;

namespace PriceActors.Tests.Grains.Storage;

/// <summary>
/// An in-memory store that group-commits only when the test says so: <see cref="QueueTicksAsync"/> returns at once
/// with a pending task, and <see cref="CommitAsync"/> writes what is queued, in order, failing an append whose
/// predecessor failed (as the PostgreSQL writer does), or <see cref="Fail"/> fails what is queued.
/// </summary>
internal sealed class ManualCommitStore(IMarketStore inner) : IMarketStore
{
    private readonly Lock gate = new();
    private readonly List<Queued> queued = [];
    private volatile bool committingAll;

    public int QueuedCount
    {
        get
        {
            lock (gate)
            {
                return queued.Count;
            }
        }
    }

    /// <summary>How many ticks each queued append carries, in queue order.</summary>
    public int[] QueuedTickCounts()
    {
        lock (gate)
        {
            return [.. queued.Select(q => q.Ticks.Length)];
        }
    }

    public ValueTask AppendTicksAsync(InstrumentKey instrument, long epoch, ReadOnlyMemory<SequencedTick> ticks, CancellationToken cancellationToken) =>
        inner.AppendTicksAsync(instrument, epoch, ticks, cancellationToken);

    public ValueTask<Task> QueueTicksAsync(InstrumentKey instrument, long epoch, ReadOnlyMemory<SequencedTick> ticks, Task previous, CancellationToken cancellationToken)
    {
        var append = new Queued(instrument, epoch, ticks.ToArray(), previous);
        lock (gate)
        {
            queued.Add(append);
        }

        if (committingAll)
        {
            _ = CommitAsync();
        }

        return ValueTask.FromResult<Task>(append.Done.Task);
    }

    /// <summary>For a test's end, passed or failed: commits what is queued and, from now on, every append as it comes.</summary>
    public Task CommitEverythingFromNowOnAsync()
    {
        committingAll = true;
        return CommitAsync();
    }

    /// <summary>Commits the first <paramref name="count"/> queued appends (all by default), in order.</summary>
    public async Task CommitAsync(int count = int.MaxValue)
    {
        foreach (var append in Take(count))
        {
            if (append.Previous is { IsFaulted: true } or { IsCanceled: true })
            {
                append.Done.SetException(new InvalidOperationException("An earlier append was not stored."));
                continue;
            }

            await inner.AppendTicksAsync(append.Instrument, append.Epoch, append.Ticks, CancellationToken.None);
            append.Done.SetResult();
        }
    }

    /// <summary>Fails the first <paramref name="count"/> queued appends, writing nothing.</summary>
    public void Fail(int count = int.MaxValue)
    {
        foreach (var append in Take(count))
        {
            append.Done.SetException(new IOException("The database went away."));
        }
    }

    public ValueTask SaveBarAsync(MinuteBar bar, long epoch, CancellationToken cancellationToken) => inner.SaveBarAsync(bar, epoch, cancellationToken);

    public ValueTask<PairHistory?> LoadAsync(InstrumentKey instrument, DateTimeOffset since, CancellationToken cancellationToken) =>
        inner.LoadAsync(instrument, since, cancellationToken);

    public StoreStatistics GetStatistics() => inner.GetStatistics();

    private List<Queued> Take(int count)
    {
        lock (gate)
        {
            var taken = queued.Take(count).ToList();
            queued.RemoveRange(0, taken.Count);
            return taken;
        }
    }

    private sealed record Queued(InstrumentKey Instrument, long Epoch, SequencedTick[] Ticks, Task Previous)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public ValueTask<IReadOnlyList<MinuteBar>> LoadBarsAsync(InstrumentKey instrument, long epoch, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        inner.LoadBarsAsync(instrument, epoch, from, to, limit, cancellationToken);

    public ValueTask<IReadOnlyList<SequencedTick>> LoadTicksAsync(InstrumentKey instrument, long epoch, DateTimeOffset since, int limit, CancellationToken cancellationToken) =>
        inner.LoadTicksAsync(instrument, epoch, since, limit, cancellationToken);
}
