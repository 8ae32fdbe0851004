using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Npgsql;
using PriceActors.Grains;
using PriceActors.Grains.Storage;
using PriceActors.Grains.Streams;

namespace PriceActors.Silo.Postgres;

/// <summary>
/// The cluster's durable store: ticks, pair positions and minute bars in PostgreSQL. Every write is
/// fenced by the owner epoch of the instrument's partition (<see cref="IPartitionFence"/>), so only
/// the current owner's writes land; a refused write throws <see cref="PartitionFencedException"/> and
/// stores nothing. Tick appends are group-committed (<see cref="PostgresOptions.FlushInterval"/>) by
/// <see cref="PostgresOptions.Writers"/> writers in parallel, an instrument always by the same one:
/// an append completes only once its transaction committed. Redelivered ticks and re-saved bars are
/// stored once.
/// </summary>
public sealed class PostgresStore : IMarketStore, IAsyncDisposable
{
    // The fence row is share-locked in the same statement, so a claim by another silo either waits
    // for this upsert to commit or makes it write nothing.
    private const string UpsertBarSql = """
        WITH fence AS (SELECT 1 FROM partition_owners WHERE partition = $1 AND owner_epoch = $2 FOR SHARE)
        INSERT INTO minute_bars (exchange, pair_name, "timestamp", open_price, max_price, min_price, close_price,
                                 average_price, vwap, trade_count, volume, last_sequence, closed, updated_at)
        SELECT $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, now()
        WHERE EXISTS (SELECT 1 FROM fence)
        ON CONFLICT (exchange, pair_name, "timestamp") DO UPDATE SET
            open_price = excluded.open_price, max_price = excluded.max_price, min_price = excluded.min_price,
            close_price = excluded.close_price, average_price = excluded.average_price, vwap = excluded.vwap,
            trade_count = excluded.trade_count, volume = excluded.volume, last_sequence = excluded.last_sequence,
            closed = excluded.closed, updated_at = excluded.updated_at
        """;

    private const string CurrentOwnerSql = "SELECT owner_epoch FROM partition_owners WHERE partition = $1";

    private readonly NpgsqlDataSource dataSource;
    private readonly IPartitionFence fence;
    private readonly PostgresOptions settings;
    private readonly int partitionCount;
    private readonly TimeProvider time;
    private readonly ILogger<PostgresStore> logger;
    private readonly GroupCommitWriter[] writers;
    private readonly ConcurrentDictionary<InstrumentKey, byte> instruments = new();
    private long ticksStored;
    private long barsStored;
    private long ticksAppended;

    /// <summary>Creates the store and starts its tick writer.</summary>
    /// <param name="dataSource">The database.</param>
    /// <param name="fence">This silo's partition tokens.</param>
    /// <param name="options">Store settings.</param>
    /// <param name="streams">Stream settings, for the partition count.</param>
    /// <param name="time">Clock of retention ("today").</param>
    /// <param name="logger">Logger.</param>
    public PostgresStore(
        NpgsqlDataSource dataSource,
        IPartitionFence fence,
        IOptions<PostgresOptions> options,
        IOptions<StreamOptions> streams,
        TimeProvider time,
        ILogger<PostgresStore> logger)
    {
        this.dataSource = dataSource;
        this.fence = fence;
        settings = options.Value;
        partitionCount = streams.Value.PartitionCount;
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
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Cancelling gives up waiting; ticks already queued may still be committed (harmless: they dedupe).
    /// A failed flush (database down) fails the call with its error; the caller's redelivery retries later.
    /// </remarks>
    /// <exception cref="PartitionFencedException">This silo does not own the instrument's partition (any more).</exception>
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

        var (partition, token) = TokenFor(instrument);
        instruments.TryAdd(instrument, 0);
        var append = new TickAppend(instrument, epoch, partition, token, ticks, previous);
        await WriterOf(instrument).EnqueueAsync(append, cancellationToken);
        return append.Completion;
    }

    /// <inheritdoc/>
    /// <exception cref="PartitionFencedException">This silo does not own the instrument's partition (any more).</exception>
    public async ValueTask SaveBarAsync(MinuteBar bar, CancellationToken cancellationToken)
    {
        var instrument = InstrumentKey.Create(bar.Exchange, bar.Symbol);
        var (partition, token) = TokenFor(instrument);
        await using var command = dataSource.CreateCommand(UpsertBarSql);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = partition });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = token });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instrument.Exchange });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = instrument.Symbol });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = TickTime.Microseconds(bar.Minute) });
        foreach (var price in (ReadOnlySpan<decimal>)[bar.Open, bar.High, bar.Low, bar.Close, bar.Average, bar.Vwap])
        {
            command.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = price });
        }

        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = bar.Count });
        command.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = bar.Volume });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = bar.LastSequence });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = bar.Closed });
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 0)
        {
            throw new PartitionFencedException(partition, token, await CurrentOwnerAsync(partition, cancellationToken));
        }

        instruments.TryAdd(instrument, 0);
        Interlocked.Increment(ref barsStored);
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

    /// <summary>Writes the queued appends, then stops the writers.</summary>
    public async ValueTask DisposeAsync() => await Task.WhenAll(writers.Select(w => w.DisposeAsync().AsTask()));

    // The same instrument always goes to the same writer, whose queue is FIFO, so its appends commit in the
    // order they were made. The hash is the process's string hash, not the partition map's, so a silo that
    // owns only some partitions still spreads its instruments over every writer.
    private GroupCommitWriter WriterOf(InstrumentKey instrument) => writers[(int)((uint)instrument.GetHashCode() % (uint)writers.Length)];

    private (int Partition, long Token) TokenFor(InstrumentKey instrument)
    {
        var partition = PartitionMap.PartitionOf(instrument, partitionCount);
        return fence.TokenOf(partition) is { } token ? (partition, token) : throw new PartitionFencedException(partition, null, null);
    }

    private async Task<long?> CurrentOwnerAsync(int partition, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(CurrentOwnerSql);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = partition });
        return await command.ExecuteScalarAsync(cancellationToken) as long?;
    }
}
