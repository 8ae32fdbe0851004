namespace PriceActors.Grains.Feeds;

/// <summary>
/// The synthetic source of one exchange: generates its instruments' trades and publishes them in rounds, at most one
/// batch per instrument each, either when they fall due (paced, a round every <c>PublishInterval</c>) or as fast as
/// the streams accept them. Keeps its random walks across stop and start.
/// </summary>
internal sealed class SyntheticFeed : IFeedSource
{
    /// <summary>After a longer stall the schedule jumps ahead instead of publishing a burst of old trades.</summary>
    private static readonly TimeSpan MaxCatchUp = TimeSpan.FromSeconds(10);

    private readonly SyntheticFeedOptions options;
    private readonly Func<IReadOnlyList<TickBatch>, CancellationToken, Task> publish;
    private readonly TimeProvider time;
    private readonly SyntheticInstrument[] instruments;
    private readonly Tick[] scratch = new Tick[4096];
    private long ticksPublished;
    private long lastTickUtcTicks;

    /// <param name="exchange">The exchange.</param>
    /// <param name="options">The instruments and their walks.</param>
    /// <param name="publish">Publishes a round; the next is generated once it completes.</param>
    /// <param name="time">The clock.</param>
    public SyntheticFeed(string exchange, SyntheticFeedOptions options, Func<IReadOnlyList<TickBatch>, CancellationToken, Task> publish, TimeProvider time)
    {
        this.options = options;
        this.publish = publish;
        this.time = time;
        var start = time.GetUtcNow();
        instruments = [.. options.AllSymbols().Select(s => new SyntheticInstrument(InstrumentKey.Create(exchange, s), options.InitialPriceOf(s), options, start))];
    }

    public string Source => "synthetic";

    public int InstrumentCount => instruments.Length;

    public LiveConnectionStatus? Connection() => null;

    public long TicksPublished => Interlocked.Read(ref ticksPublished);

    public DateTimeOffset? LastTickAt => Interlocked.Read(ref lastTickUtcTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        return options.Paced ? RunPacedAsync(cancellationToken) : RunUnpacedAsync(cancellationToken);
    }

    private async Task RunPacedAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.PublishInterval, time);
        var round = new List<TickBatch>(instruments.Length);
        var due = new List<Tick>();
        do
        {
            var now = time.GetUtcNow();
            round.Clear();
            foreach (var instrument in instruments)
            {
                if (now.UtcTicks - instrument.NextUtcTicks > MaxCatchUp.Ticks)
                {
                    instrument.SkipTo(now.UtcTicks - MaxCatchUp.Ticks);
                }

                due.Clear();
                int count;
                do
                {
                    count = instrument.GenerateDue(now.UtcTicks, scratch, now);
                    due.AddRange(scratch.AsSpan(0, count));
                }
                while (count == scratch.Length);

                if (due.Count > 0)
                {
                    round.Add(new TickBatch(instrument.Instrument, due.ToArray()));
                }
            }

            if (round.Count > 0)
            {
                await PublishAsync(round, cancellationToken);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private async Task RunUnpacedAsync(CancellationToken cancellationToken)
    {
        var round = new List<TickBatch>(instruments.Length);
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            round.Clear();
            foreach (var instrument in instruments)
            {
                var ticks = new Tick[options.UnpacedBatchSize];
                instrument.GenerateNow(ticks, now);
                round.Add(new TickBatch(instrument.Instrument, ticks));
            }

            await PublishAsync(round, cancellationToken);
        }
    }

    /// <summary>Publishes the round and counts its ticks.</summary>
    private async Task PublishAsync(List<TickBatch> round, CancellationToken cancellationToken)
    {
        await publish(round, cancellationToken);

        var ticks = 0L;
        var last = 0L;
        foreach (var batch in round)
        {
            ticks += batch.Ticks.Length;
            last = Math.Max(last, batch.Ticks.Span[^1].ExchangeTime.UtcTicks);
        }

        Interlocked.Add(ref ticksPublished, ticks);
        Interlocked.Exchange(ref lastTickUtcTicks, last);
    }
}
