using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Npgsql;
using PriceActors.Grains;
using PriceActors.Grains.Storage;

namespace PriceActors.Silo.Postgres;

/// <summary>
/// The cluster's durable store: ticks, pair positions and minute bars in PostgreSQL. A pair's activation claims the
/// pair (<see cref="ClaimAsync"/>) and every write of it is fenced by the owner epoch of the pair's fence row
/// (<see cref="PairFence"/>), so only the latest activation's writes land; a refused write, or one of a pair this silo
/// never claimed, throws <see cref="PairFencedException"/> and stores nothing. Tick appends are group-committed
/// (<see cref="PostgresOptions.FlushInterval"/>) by <see cref="PostgresOptions.Writers"/> writers in parallel, an
/// instrument always by the same one: an append completes only once its transaction committed. Redelivered ticks and
/// re-saved bars are stored once.
/// </summary>
public sealed class PostgresStore : IMarketStore, IAsyncDisposable
{
    private readonly NpgsqlDataSource dataSource;
    private readonly PairFence fence;
    private readonly PostgresOptions settings;
    private readonly TimeProvider time;
    private readonly ILogger<PostgresStore> logger;
    private readonly GroupCommitWriter[] writers;
    private readonly BarWriter bars;
    private readonly ConcurrentDictionary<InstrumentKey, byte> instruments = new();
    private long ticksStored;
    private long barsStored;
    private long ticksAppended;

    /// <summary>Creates the store and starts its tick writer.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="fence">This silo's claims of pairs.</param>
    /// <param name="options">Store settings.</param>
    /// <param name="time">Clock of retention ("today").</param>
    /// <param name="logger">Logger.</param>
    public PostgresStore(
        NpgsqlDataSource dataSource,
        PairFence fence,
        IOptions<PostgresOptions> options,
        TimeProvider time,
        ILogger<PostgresStore> logger)
    {
        this.dataSource = dataSource;
        this.fence = fence;
        settings = options.Value;
        this.time = time;
        this.logger = logger;
        // The flush interval is a latency knob on the machine's clock, not market time: a test clock
        // standing still must not stop the writer.
        var capacity = Math.Max(1, settings.MaxPendingAppends / settings.Writers);
        writers = new GroupCommitWriter[settings.Writers];
        for (var i = 0; i < writers.Length; i++)
        {
            writers[i] = new GroupCommitWriter(dataSource, settings, i, capacity, TimeProvider.System, logger);
            writers[i].Committed += (accepted, inserted) =>
            {
                Interlocked.Add(ref ticksAppended, accepted);
                Interlocked.Add(ref ticksStored, inserted);
            };
        }

        // A pair has at most one bar being saved, so the queue holds at most one per pair.
        bars = new BarWriter(dataSource, settings.MaxPendingAppends, logger);
        bars.Committed += stored => Interlocked.Add(ref barsStored, stored);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Cancelling gives up waiting; ticks already queued may still be committed (harmless: they dedupe).
    /// A failed flush (database down) fails the call with its error; the caller's redelivery retries later.
    /// </remarks>
    /// <exception cref="PairFencedException">This silo has not claimed the pair, or another activation claimed it since.</exception>
    public async ValueTask AppendTicksAsync(InstrumentKey instrument, long epoch, ReadOnlyMemory<SequencedTick> ticks, CancellationToken cancellationToken)
    {
        // The caller leaves the ticks alone until this call completes, and the writer reads them only before it
        // completes the append. A caller that may cancel, though, stops waiting while the append may still be
        // queued: it gets a copy.
        var kept = cancellationToken.CanBeCanceled ? ticks.ToArray() : ticks;
        var durable = await QueueTicksAsync(instrument, epoch, kept, Task.CompletedTask, cancellationToken);
        await durable.WaitAsync(cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The writer reads the ticks until it completes the returned task. The append goes to the instrument's writer, whose queue is FIFO, so it commits after the instrument's
    /// earlier appends, in the same flush or a later one; the writer fails it without writing when
    /// <paramref name="previous"/> failed. A refused fence fails the returned task.
    /// </remarks>
    public async ValueTask<Task> QueueTicksAsync(InstrumentKey instrument, long epoch, ReadOnlyMemory<SequencedTick> ticks, Task previous, CancellationToken cancellationToken)
    {
        if (ticks.IsEmpty)
        {
            return previous;
        }

        var (key, token) = ClaimOf(instrument);
        instruments.TryAdd(instrument, 0);
        var append = new TickAppend(instrument, epoch, key, token, ticks, previous);
        await WriterOf(instrument).EnqueueAsync(append, cancellationToken);
        return append.Completion;
    }

    /// <inheritdoc/>
    /// <exception cref="PairFencedException">This silo has not claimed the pair, or another activation claimed it since.</exception>
    public async ValueTask SaveBarAsync(MinuteBar bar, long epoch, CancellationToken cancellationToken)
    {
        var instrument = InstrumentKey.Create(bar.Exchange, bar.Symbol);
        var (key, token) = ClaimOf(instrument);
        await bars.SaveAsync(bar, epoch, instrument, key, token, cancellationToken);
        instruments.TryAdd(instrument, 0);
    }

    /// <inheritdoc/>
    public async ValueTask<PairHistory?> LoadAsync(InstrumentKey instrument, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var history = await PairHistoryReader.ReadAsync(dataSource, instrument, since, cancellationToken);
        if (history is not null)
        {
            instruments.TryAdd(instrument, 0);
        }

        return history;
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<MinuteBar>> LoadBarsAsync(
        InstrumentKey instrument, long epoch, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken) =>
        PairHistoryReader.ReadBarsAsync(dataSource, instrument, epoch, from, to, limit, cancellationToken);

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<SequencedTick>> LoadTicksAsync(
        InstrumentKey instrument, long epoch, DateTimeOffset since, int limit, CancellationToken cancellationToken) =>
        PairHistoryReader.ReadTicksAsync(dataSource, instrument, epoch, since, limit, cancellationToken);

    /// <summary>
    /// Counters of this process: instruments it wrote or loaded, ticks it inserted (redeliveries not
    /// counted) and bars it saved since start; what other silos or earlier processes stored is not counted.
    /// </summary>
    public StoreStatistics GetStatistics() => new(
        "postgres",
        instruments.Count,
        Interlocked.Read(ref ticksStored),
        Interlocked.Read(ref barsStored),
        Interlocked.Read(ref ticksAppended),
        0);

    /// <summary>
    /// Creates the daily tick partitions from yesterday to <see cref="PostgresOptions.PartitionsAhead"/> days
    /// ahead and drops those wholly older than <see cref="PostgresOptions.TickRetention"/> days.
    /// </summary>
    /// <param name="cancellationToken">Cancels the pass.</param>
    public async ValueTask<TickRetentionResult> EnforceRetentionAsync(CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var lastDay = today.AddDays(settings.PartitionsAhead);
        var cutoff = today.AddDays(-settings.TickRetention);
        await using var command = dataSource.CreateCommand("SELECT ensure_tick_partitions($1, $2), drop_tick_partitions_before($3)");
        command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = today.AddDays(-1) });
        command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = lastDay });
        command.Parameters.Add(new NpgsqlParameter<DateOnly> { TypedValue = cutoff });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var result = new TickRetentionResult(reader.GetInt32(0), reader.GetInt32(1), cutoff);
        PostgresStoreLog.RetentionEnforced(logger, result.Created, lastDay, result.Dropped, cutoff);
        return result;
    }

    /// <inheritdoc/>
    /// <remarks>Claims the pair's fence row (<see cref="PairFence.ClaimAsync"/>); the store writes a pair only after this.</remarks>
    public async ValueTask ClaimAsync(InstrumentKey instrument, CancellationToken cancellationToken) =>
        await fence.ClaimAsync(instrument, cancellationToken);

    /// <summary>Writes the queued appends and bars, then stops the writers.</summary>
    public async ValueTask DisposeAsync() => await Task.WhenAll(writers.Select(w => w.DisposeAsync().AsTask()).Append(bars.DisposeAsync().AsTask()));

    // The same instrument always goes to the same writer, whose queue is FIFO, so its appends commit in the
    // order they were made.
    private GroupCommitWriter WriterOf(InstrumentKey instrument) => writers[(int)((uint)instrument.GetHashCode() % (uint)writers.Length)];

    // Never unfenced: a pair this silo has not claimed has no token to write under.
    private (int Key, long Token) ClaimOf(InstrumentKey instrument) =>
        fence.ClaimOf(instrument) ?? throw new PairFencedException(instrument);
}
