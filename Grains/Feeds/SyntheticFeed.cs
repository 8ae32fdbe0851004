using PriceActors.Grains.Streams;

namespace PriceActors.Grains.Feeds;

/// <summary>
/// The synthetic source of one exchange: generates its instruments' trades and publishes them to
/// the tick stream in per-instrument batches, either when they fall due (paced) or as fast as the
/// stream accepts them. Keeps its random walks across stop and start. Asks its <see cref="IFeedPermit"/> before each
/// batch and ends when it may no longer publish (<see cref="PermitLapsed"/>).
/// </summary>
internal sealed class SyntheticFeed
{
    /// <summary>After a longer stall the schedule jumps ahead instead of publishing a burst of old trades.</summary>
    private static readonly TimeSpan MaxCatchUp = TimeSpan.FromSeconds(10);

    private readonly SyntheticFeedOptions options;
    private readonly string exchange;
    private readonly ITickStream stream;
    private readonly IFeedPermit permit;
    private readonly TimeProvider time;
    private readonly SyntheticInstrument[] instruments;
    private readonly Tick[] scratch = new Tick[4096];
    private long ticksPublished;
    private long lastTickUtcTicks;

    public SyntheticFeed(string exchange, SyntheticFeedOptions options, ITickStream stream, IFeedPermit permit, TimeProvider time)
    {
        this.exchange = exchange;
        this.options = options;
        this.stream = stream;
        this.permit = permit;
        this.time = time;
        var start = time.GetUtcNow();
        instruments = [.. options.AllSymbols().Select(s => new SyntheticInstrument(InstrumentKey.Create(exchange, s), options.InitialPriceOf(s), options, start))];
    }

    public int InstrumentCount => instruments.Length;

    public long TicksPublished => Interlocked.Read(ref ticksPublished);

    /// <summary>The last run ended because the permit no longer allowed publishing.</summary>
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

    /// <summary>Publishes the batch if the permit allows it; false (nothing published) when it does not.</summary>
    private async ValueTask<bool> PublishAsync(InstrumentKey instrument, Tick[] ticks, CancellationToken cancellationToken)
    {
        if (!permit.MayPublish(exchange))
        {
            PermitLapsed = true;
            return false;
        }

        await stream.PublishAsync(new TickBatch(instrument, ticks), cancellationToken);
        Interlocked.Add(ref ticksPublished, ticks.Length);
        Interlocked.Exchange(ref lastTickUtcTicks, ticks[^1].ExchangeTime.UtcTicks);
        return true;
    }
}
