using System.Threading.Channels;
using Npgsql;
using PriceActors.Grains;

namespace PriceActors.Silo.Postgres;

/// <summary>
/// Saves minute bars in batches: the bars queued when it is free go in one transaction, one fenced upsert each (the
/// pair's fence row share-locked, <see cref="PairFence"/>), sent in one round trip, in fence key order so two batches
/// lock the fence rows in the same order. A bar completes once its transaction committed; one whose pair another
/// activation claimed since fails with <see cref="PairFencedException"/> and stores nothing; a failed transaction fails
/// every bar in it.
/// <para>
/// Every pair closes its bar at the same moment (the minute plus <c>Pairs:BarCloseGrace</c>): a transaction per bar
/// made that hundreds of commits at once, which held up the tick writer's commits every minute (bench/README.md).
/// </para>
/// </summary>
internal sealed class BarWriter : IAsyncDisposable
{
    /// <summary>The most bars one transaction saves.</summary>
    public const int MaxBarsPerFlush = 1024;

    // The fence row is share-locked in the same statement, so a claim by another activation either waits
    // for this transaction to commit or makes the upsert write nothing.
    private const string UpsertBarSql = """
        WITH fence AS (SELECT 1 FROM partition_owners WHERE partition = $1 AND owner_epoch = $2 FOR SHARE)
        INSERT INTO minute_bars (exchange, pair_name, "timestamp", open_price, max_price, min_price, close_price,
                                 average_price, vwap, trade_count, volume, last_sequence, closed, epoch, updated_at)
        SELECT $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, now()
        WHERE EXISTS (SELECT 1 FROM fence)
        ON CONFLICT (exchange, pair_name, "timestamp", epoch) DO UPDATE SET
            open_price = excluded.open_price, max_price = excluded.max_price, min_price = excluded.min_price,
            close_price = excluded.close_price, average_price = excluded.average_price, vwap = excluded.vwap,
            trade_count = excluded.trade_count, volume = excluded.volume, last_sequence = excluded.last_sequence,
            closed = excluded.closed, updated_at = excluded.updated_at
        """;

    private const string CurrentOwnerSql = "SELECT owner_epoch FROM partition_owners WHERE partition = $1";

    private readonly NpgsqlDataSource dataSource;
    private readonly ILogger logger;
    private readonly Channel<BarSave> queue;
    private readonly Task writing;

    public BarWriter(NpgsqlDataSource dataSource, int capacity, ILogger logger)
    {
        this.dataSource = dataSource;
        this.logger = logger;
        queue = Channel.CreateBounded<BarSave>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = true });
        writing = Task.Run(WriteAsync);
    }

    /// <summary>Raised after each committed batch with the number of bars it stored.</summary>
    public event Action<int>? Committed;

    /// <summary>Queues the bar and completes once it is durable.</summary>
    /// <exception cref="PairFencedException">Another activation claimed the pair since; nothing was stored.</exception>
    public async ValueTask SaveAsync(MinuteBar bar, long epoch, InstrumentKey instrument, int fenceKey, long token, CancellationToken cancellationToken)
    {
        var save = new BarSave(bar, epoch, instrument, fenceKey, token);
        await queue.Writer.WriteAsync(save, cancellationToken);
        await save.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Saves the queued bars, then stops.</summary>
    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await writing;
    }

    private async Task WriteAsync()
    {
        var batch = new List<BarSave>();
        while (await queue.Reader.WaitToReadAsync())
        {
            while (batch.Count < MaxBarsPerFlush && queue.Reader.TryRead(out var save))
            {
                batch.Add(save);
            }

            try
            {
                await FlushAsync(batch);
            }
            catch (Exception error)
            {
                PostgresStoreLog.BarFlushFailed(logger, error, batch.Count);
                foreach (var save in batch)
                {
                    save.Completion.TrySetException(error);
                }
            }

            batch.Clear();
        }
    }

    private async Task FlushAsync(List<BarSave> batch)
    {
        // Stable: two saves of one instrument keep their order.
        var saves = batch.OrderBy(s => s.FenceKey).ToArray();
        await using var connection = await dataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var commands = new NpgsqlBatch(connection, transaction);
        foreach (var save in saves)
        {
            commands.BatchCommands.Add(Upsert(save));
        }

        await commands.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
        var current = new Dictionary<int, long?>();
        var stored = 0;
        for (var i = 0; i < saves.Length; i++)
        {
            var save = saves[i];
            if (commands.BatchCommands[i].RecordsAffected > 0)
            {
                stored++;
                save.Completion.TrySetResult();
                continue;
            }

            if (!current.TryGetValue(save.FenceKey, out var owner))
            {
                await using var command = new NpgsqlCommand(CurrentOwnerSql, connection);
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = save.FenceKey });
                current[save.FenceKey] = owner = await command.ExecuteScalarAsync() as long?;
            }

            save.Completion.TrySetException(new PairFencedException(save.Instrument, save.FenceKey, save.Token, owner));
        }

        Committed?.Invoke(stored);
    }

    private static NpgsqlBatchCommand Upsert(BarSave save)
    {
        var bar = save.Bar;
        var command = new NpgsqlBatchCommand(UpsertBarSql);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = save.FenceKey });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = save.Token });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = save.Instrument.Exchange });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = save.Instrument.Symbol });
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = TickTime.Microseconds(bar.Minute) });
        foreach (var price in (ReadOnlySpan<decimal>)[bar.Open, bar.High, bar.Low, bar.Close, bar.Average, bar.Vwap])
        {
            command.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = price });
        }

        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = bar.Count });
        command.Parameters.Add(new NpgsqlParameter<decimal> { TypedValue = bar.Volume });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = bar.LastSequence });
        command.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = bar.Closed });
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = save.Epoch });
        return command;
    }

    private sealed record BarSave(MinuteBar Bar, long Epoch, InstrumentKey Instrument, int FenceKey, long Token)
    {
        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
