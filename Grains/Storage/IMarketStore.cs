namespace PriceActors.Grains.Storage;

/// <summary>
/// Where pair actors persist trades and minute bars (Orleans: grain storage), so a new activation —
/// after idle deactivation here, after a silo failure in the cluster — rebuilds its window and bars.
/// </summary>
public interface IMarketStore
{
    /// <summary>
    /// Appends trades of one instrument, in sequence order. The store copies what it keeps before the
    /// returned task completes; completion means durable for a durable store.
    /// </summary>
    /// <param name="instrument">The instrument.</param>
    /// <param name="epoch">The epoch of the sequence numbers.</param>
    /// <param name="ticks">The trades; the caller leaves them unchanged until the returned task completes.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    ValueTask AppendTicksAsync(InstrumentKey instrument, long epoch, ReadOnlyMemory<SequencedTick> ticks, CancellationToken cancellationToken);

    /// <summary>
    /// Queues trades of one instrument behind its appends queued before, and returns once they are
    /// queued with the task of their append: it completes when they are durable and fails when they, or
    /// <paramref name="previous"/>, could not be stored, so an instrument's trades never become durable
    /// past a gap. The default appends at once and returns a completed task; a store that group-commits
    /// returns before the commit, so a caller can take more trades meanwhile.
    /// </summary>
    /// <param name="instrument">The instrument.</param>
    /// <param name="epoch">The epoch of the sequence numbers.</param>
    /// <param name="ticks">The trades; the caller leaves them untouched until the returned task completes (the store may read them until then).</param>
    /// <param name="previous">The task of the instrument's previous append, or a completed task.</param>
    /// <param name="cancellationToken">Cancels waiting for room in the queue.</param>
    async ValueTask<Task> QueueTicksAsync(InstrumentKey instrument, long epoch, ReadOnlyMemory<SequencedTick> ticks, Task previous, CancellationToken cancellationToken)
    {
        await previous;
        await AppendTicksAsync(instrument, epoch, ticks, cancellationToken);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Takes the instrument's writes for the caller, a new activation of its pair: a store shared by several silos refuses
    /// the writes of any earlier activation from now on, so one that lives on (a silo frozen, or declared dead while it
    /// still runs) cannot overwrite what the new one writes. By default there is nothing to take (one process).
    /// </summary>
    /// <param name="instrument">The instrument.</param>
    /// <param name="cancellationToken">Cancels the claim.</param>
    ValueTask ClaimAsync(InstrumentKey instrument, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Stores a minute bar, replacing one of the same instrument, minute and epoch (idempotent).</summary>
    /// <param name="bar">The bar.</param>
    /// <param name="epoch">The epoch of the bar's trades.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    ValueTask SaveBarAsync(MinuteBar bar, long epoch, CancellationToken cancellationToken);

    /// <summary>
    /// Loads an instrument's sequence position and its trades and bars since <paramref name="since"/>, of its latest epoch
    /// only (what an earlier feed mode stored stays apart); null when nothing is stored.
    /// </summary>
    /// <param name="instrument">The instrument.</param>
    /// <param name="since">Oldest trade and bar wanted.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<PairHistory?> LoadAsync(InstrumentKey instrument, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>The stored minute bars of <paramref name="epoch"/> with a minute in <c>[from, to)</c>, oldest first, at most <paramref name="limit"/>.</summary>
    /// <param name="instrument">The instrument.</param>
    /// <param name="epoch">The epoch whose bars are wanted (the pair's current one).</param>
    /// <param name="from">First minute wanted (inclusive).</param>
    /// <param name="to">End of the minutes wanted (exclusive).</param>
    /// <param name="limit">At most this many bars, the oldest.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<IReadOnlyList<MinuteBar>> LoadBarsAsync(InstrumentKey instrument, long epoch, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// The stored trades of <paramref name="epoch"/> with an exchange time at or after <paramref name="since"/>, in sequence
    /// order, at most <paramref name="limit"/> (the first ones).
    /// </summary>
    /// <param name="instrument">The instrument.</param>
    /// <param name="epoch">The epoch whose trades are wanted (the pair's current one).</param>
    /// <param name="since">Oldest exchange time wanted.</param>
    /// <param name="limit">At most this many trades.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    ValueTask<IReadOnlyList<SequencedTick>> LoadTicksAsync(InstrumentKey instrument, long epoch, DateTimeOffset since, int limit, CancellationToken cancellationToken);

    /// <summary>The store's counters now.</summary>
    StoreStatistics GetStatistics();
}
