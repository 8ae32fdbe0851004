namespace PriceActors.Grains.Feeds;

/// <summary>
/// The synthetic source of one exchange: generates its instruments' trades and publishes them to
/// the tick stream in per-instrument batches, either when they fall due (paced) or as fast as the
/// stream accepts them. Keeps its random walks across stop and start. Ends when its publisher refuses a batch
/// (<see cref="PermitLapsed"/>).
/// </summary>
internal sealed class SyntheticFeed
{
    /// <summary>After a longer stall the schedule jumps ahead instead of publishing a burst of old trades.</summary>
    private static readonly TimeSpan MaxCatchUp = TimeSpan.FromSeconds(10);

    private readonly SyntheticFeedOptions options;
    private readonly Func<TickBatch, CancellationToken, ValueTask<bool>> publish;
    private readonly TimeProvider time;
    private readonly SyntheticInstrument[] instruments;
    private readonly Tick[] scratch = new Tick[4096];
    private long ticksPublished;
    private long lastTickUtcTicks;

    /// <param name="exchange">The exchange.</param>
    /// <param name="options">The instruments and their walks.</param>
    /// <param name="publish">Publishes a batch; false when it may not, which ends the run.</param>
    /// <param name="time">The clock.</param>
    public SyntheticFeed(string exchange, SyntheticFeedOptions options, Func<TickBatch, CancellationToken, ValueTask<bool>> publish, TimeProvider time)
    {
        this.options = options;
        this.publish = publish;
        this.time = time;
        var start = time.GetUtcNow();
        instruments = [.. options.AllSymbols().Select(s => new SyntheticInstrument(InstrumentKey.Create(exchange, s), options.InitialPriceOf(s), options, start))];
    }

    public int InstrumentCount => instruments.Length;

    public long TicksPublished => Interlocked.Read(ref ticksPublished);

    /// <summary>The last run ended because the publisher refused a batch.</summary>
    public bool PermitLapsed { get; private set; }

    public DateTimeOffset? LastTickAt => Interlocked.Read(ref lastTickUtcTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    public Task RunAsync(CancellationToken cancellationToken)
    {
        PermitLapsed = false;
        return options.Paced ? RunPacedAsync(cancellationToken) : RunUnpacedAsync(cancellationToken);
    }

    private async Task RunPacedAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.PublishInterval, time);
        do
        {
            var now = time.GetUtcNow();
            foreach (var instrument in instruments)
            {
                if (now.UtcTicks - instrument.NextUtcTicks > MaxCatchUp.Ticks)
                {
                    instrument.SkipTo(now.UtcTicks - MaxCatchUp.Ticks);
                }

                int count;
                do
                {
                    count = instrument.GenerateDue(now.UtcTicks, scratch, now);
                    if (count > 0 && !await PublishAsync(instrument.Instrument, scratch.AsSpan(0, count).ToArray(), cancellationToken))
                    {
                        return;
                    }
                }
                while (count == scratch.Length);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private async Task RunUnpacedAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            foreach (var instrument in instruments)
            {
                var ticks = new Tick[options.UnpacedBatchSize];
                instrument.GenerateNow(ticks, now);
                if (!await PublishAsync(instrument.Instrument, ticks, cancellationToken))
                {
                    return;
                }
            }
        }
    }

    /// <summary>Publishes the batch; false (nothing published) when the publisher refused it.</summary>
    private async ValueTask<bool> PublishAsync(InstrumentKey instrument, Tick[] ticks, CancellationToken cancellationToken)
    {
        if (!await publish(new TickBatch(instrument, ticks), cancellationToken))
        {
            PermitLapsed = true;
            return false;
        }

        Interlocked.Add(ref ticksPublished, ticks.Length);
        Interlocked.Exchange(ref lastTickUtcTicks, ticks[^1].ExchangeTime.UtcTicks);
        return true;
    }
}
