using PriceActors.Grains;
using PriceActors.Grains.Storage;

namespace PriceActors.Silo.Postgres;

/// <summary>
/// One caller's ticks waiting for the group commit, with the fence token it was written under and the
/// instrument's append before it (<see cref="Previous"/>), whose failure fails this one too.
/// </summary>
internal sealed class TickAppend(InstrumentKey instrument, long epoch, int fenceKey, long token, ReadOnlyMemory<SequencedTick> ticks, Task? previous = null)
{
    private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public InstrumentKey Instrument { get; } = instrument;

    public long Epoch { get; } = epoch;

    /// <summary>The pair's fence row (<see cref="PairFence"/>) and the owner epoch of it the ticks were appended under.</summary>
    public int FenceKey { get; } = fenceKey;

    public long Token { get; } = token;

    /// <summary>The caller's memory, unchanged until <see cref="Completion"/> completes: read it only before completing.</summary>
    public ReadOnlyMemory<SequencedTick> Ticks { get; } = ticks;

    /// <summary>The instrument's append queued before this one (completed when there is none in flight).</summary>
    public Task Previous { get; } = previous ?? Task.CompletedTask;

    /// <summary>Completes when the ticks are committed, fails when they were not.</summary>
    public Task Completion => done.Task;

    public void Commit() => done.TrySetResult();

    public void Fail(Exception error) => done.TrySetException(error);
}
