using System.Threading.Channels;
using Npgsql;
using PriceActors.Silo.Diagnostics;

namespace PriceActors.Silo.Postgres;

/// <summary>
/// Group commit of tick appends: callers enqueue, one loop writes everything pending in one
/// transaction — fence check (<c>FOR SHARE</c> on the pairs' fence rows, <see cref="PairFence"/>) and the instruments'
/// stored positions in one round trip, binary COPY of one <c>tick_batches</c> row per append (ticks the
/// stored position says are durable already are left out, so redeliveries are stored once),
/// <c>pair_state</c> upsert — and completes the callers only after the commit. The queue
/// is bounded, so callers wait when the database falls behind. A failed flush fails its callers and
/// drops the connection; the next flush opens a new one, so the writer outlives database restarts.
/// A store runs several writers, each on its own connection (see <see cref="PostgresOptions.Writers"/>).
/// </summary>
internal sealed class GroupCommitWriter : IAsyncDisposable
{
    private readonly NpgsqlDataSource dataSource;
    private readonly PostgresOptions settings;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly Channel<TickAppend> queue;
    private readonly CancellationTokenSource stopping = new();
    private readonly TickBatchCopyEncoder encoder;
    private readonly Task loop;
    private NpgsqlConnection? connection;
    private Task? disposed;
    private int failures;

    public GroupCommitWriter(NpgsqlDataSource dataSource, PostgresOptions settings, int id, int capacity, TimeProvider time, ILogger logger)
    {
        Id = id;
        this.dataSource = dataSource;
        this.settings = settings;
        this.time = time;
        this.logger = logger;
        encoder = new TickBatchCopyEncoder(settings.TickRowLayout);
        queue = Channel.CreateBounded<TickAppend>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        loop = Task.Run(RunAsync);
    }

    /// <summary>This writer's number among the store's writers (logs).</summary>
    public int Id { get; }

    /// <summary>Raised after each commit with the ticks accepted and the rows actually inserted (duplicates excluded).</summary>
    public event Action<long, long>? Committed;

    /// <summary>Queues the append, waiting only while the queue is full; <see cref="TickAppend.Completion"/> tells the rest.</summary>
    public ValueTask EnqueueAsync(TickAppend append, CancellationToken cancellationToken) => queue.Writer.WriteAsync(append, cancellationToken);

    /// <summary>Stops taking appends, writes what is queued, then closes the connection.</summary>
    public ValueTask DisposeAsync()
    {
        // Idempotent: DI disposes the store once per registration that resolved it.
        lock (queue)
        {
            disposed ??= StopAsync();
        }

        return new(disposed);
    }

    private async Task StopAsync()
    {
        queue.Writer.TryComplete();
        await stopping.CancelAsync();
        await loop;
        if (connection is not null)
        {
            await connection.DisposeAsync();
        }

        stopping.Dispose();
    }

    private async Task RunAsync()
    {
        var batch = new List<TickAppend>();
        var waited = false;
        while (await queue.Reader.WaitToReadAsync())
        {
            // Gather others for a moment after an idle spell. Appends that queued up during the last flush
            // have waited a whole flush already: they go at once, so under load the writer flushes back to
            // back and the flush in progress is what gathers the next one.
            if (!waited && settings.FlushInterval > TimeSpan.Zero && !stopping.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(settings.FlushInterval, time, stopping.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }

            var count = 0;
            while (count < settings.MaxTicksPerFlush && queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
                count += next.Ticks.Length;
            }

            await FlushAsync(batch, count);
            batch.Clear();
            waited = queue.Reader.Count > 0;
        }
    }

    private async Task FlushAsync(List<TickAppend> batch, int tickCount)
    {
        try
        {
            var db = await ConnectAsync();
            var started = time.GetTimestamp();
            await using var transaction = await db.BeginTransactionAsync();
            var (owners, positions) = await TickFlushCommands.ReadOwnersAndPositionsAsync(db, batch);
            var fenceChecked = time.GetTimestamp();
            var accepted = new List<TickAppend>(batch.Count);
            var fenced = new List<TickAppend>();
            List<TickAppend>? orphans = null;
            HashSet<Task>? refused = null;
            foreach (var append in batch)
            {
                if (append.Previous is { IsFaulted: true } or { IsCanceled: true } || refused?.Contains(append.Previous) == true)
                {
                    // The instrument's append before it was not stored: storing this one would leave a gap.
                    (orphans ??= []).Add(append);
                }
                else if (owners.TryGetValue(append.FenceKey, out var epoch) && epoch == append.Token)
                {
                    accepted.Add(append);
                    continue;
                }
                else
                {
                    fenced.Add(append);
                }

                (refused ??= []).Add(append.Completion);
            }

            long inserted = 0, acceptedTicks = 0;
            var (ticksWritten, stateWritten) = (fenceChecked, fenceChecked);
            if (accepted.Count > 0)
            {
                acceptedTicks = accepted.Sum(a => (long)a.Ticks.Length);
                inserted = await TickFlushCommands.CopyBatchesAsync(db, encoder, TickFlushCommands.TrimDurable(accepted, positions));
                ticksWritten = time.GetTimestamp();
                await TickFlushCommands.UpsertPairStateAsync(db, accepted);
                stateWritten = time.GetTimestamp();
            }

            await transaction.CommitAsync();
            if (logger.IsEnabled(LogLevel.Debug))
            {
                PostgresStoreLog.FlushTimed(
                    logger, batch.Count, tickCount, Id, time.GetElapsedTime(started, fenceChecked).TotalMilliseconds,
                    time.GetElapsedTime(fenceChecked, ticksWritten).TotalMilliseconds, time.GetElapsedTime(ticksWritten, stateWritten).TotalMilliseconds,
                    time.GetElapsedTime(stateWritten).TotalMilliseconds);
            }

            // Before the callers are completed: they may reuse the ticks' memory once they are.
            RecordCommitted(started, tickCount, accepted);
            Committed?.Invoke(acceptedTicks, inserted);
            accepted.ForEach(a => a.Commit());
            foreach (var append in fenced)
            {
                append.Fail(new PairFencedException(append.Instrument, append.FenceKey, append.Token, owners.TryGetValue(append.FenceKey, out var e) ? e : null));
            }

            orphans?.ForEach(a => a.Fail(new InvalidOperationException($"An earlier append of {a.Instrument} was not stored; this one is not stored either.")));

            if (fenced.Count > 0)
            {
                PostgresStoreLog.AppendsFenced(logger, fenced.Count, string.Join(",", fenced.Select(a => a.Instrument).Distinct()));
            }

            if (failures > 0)
            {
                PostgresStoreLog.FlushRecovered(logger, failures);
                failures = 0;
            }
        }
        catch (Exception error)
        {
            failures++;
            PostgresStoreLog.FlushFailed(logger, error, batch.Count, tickCount, batch.Select(a => a.Instrument).Distinct().Count());
            await DropConnectionAsync();
            batch.ForEach(a => a.Fail(error));
        }
    }

    private void RecordCommitted(long started, int tickCount, List<TickAppend> accepted)
    {
        PipelineMetrics.FlushDuration.Record(time.GetElapsedTime(started).TotalMilliseconds);
        PipelineMetrics.FlushTicks.Record(tickCount);
        if (PipelineMetrics.DurableAge.Enabled)
        {
            var now = time.GetUtcNow();
            foreach (var append in accepted)
            {
                PipelineMetrics.DurableAge.Record((now - append.Ticks.Span[^1].Tick.ReceiveTime).TotalMilliseconds);
            }
        }
    }

    private async ValueTask<NpgsqlConnection> ConnectAsync()
    {
        if (connection is { State: System.Data.ConnectionState.Open })
        {
            return connection;
        }

        await DropConnectionAsync();
        return connection = await dataSource.OpenConnectionAsync();
    }

    private async ValueTask DropConnectionAsync()
    {
        if (connection is not null)
        {
            var broken = connection;
            connection = null;
            try
            {
                await broken.DisposeAsync();
            }
            catch (Exception)
            {
                // Closing a connection the server already dropped may throw; it is gone either way.
            }
        }
    }
}
