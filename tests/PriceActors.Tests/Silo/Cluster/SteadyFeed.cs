using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Silo.RabbitMq;

namespace PriceActors.Tests.Silo.Cluster;

/// <summary>
/// The test as the exchange feed: every <c>pause</c> one batch per instrument, trade ids 1, 2, 3... per
/// instrument, with at least two instruments on every partition so each partition's owner sees traffic
/// (ownership is learned on a partition's first delivery). Knows exactly what it produced.
/// </summary>
internal sealed class SteadyFeed : IAsyncDisposable
{
    private readonly RabbitMqTickStream stream;
    private readonly int ticksPerBatch;
    private readonly TimeSpan pause;
    private readonly CancellationTokenSource stop = new();
    private Task? running;

    public SteadyFeed(RabbitMqTickStream stream, int partitions, int ticksPerBatch, TimeSpan pause)
    {
        this.stream = stream;
        this.ticksPerBatch = ticksPerBatch;
        this.pause = pause;
        var perPartition = new int[partitions];
        var instruments = new List<InstrumentKey>();
        for (var i = 1; perPartition.Any(n => n < 2); i++)
        {
            var instrument = InstrumentKey.Create("test", $"BAL{i}USDT");
            if (perPartition[PartitionMap.PartitionOf(instrument, partitions)]++ < 2)
            {
                instruments.Add(instrument);
            }
        }

        Instruments = instruments;
    }

    public IReadOnlyList<InstrumentKey> Instruments { get; }

    /// <summary>Rounds published completely (every instrument's batch confirmed by the broker).</summary>
    public int Rounds { get; private set; }

    public long TicksPublished => (long)Rounds * Instruments.Count * ticksPerBatch;

    public void Start() => running = RunAsync();

    /// <summary>Stops after the round in progress; every tick counted in <see cref="TicksPublished"/> is confirmed.</summary>
    public async Task StopAsync()
    {
        await stop.CancelAsync();
        if (running is not null)
        {
            await running;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        stop.Dispose();
    }

    private async Task RunAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            var now = DateTimeOffset.UtcNow;
            var round = Rounds;
            await Task.WhenAll(Instruments.Select(i => stream.PublishAsync(Batch(i, round, now), CancellationToken.None).AsTask()));
            Rounds++;
            try
            {
                await Task.Delay(pause, stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private TickBatch Batch(InstrumentKey instrument, int round, DateTimeOffset now)
    {
        var ticks = new Tick[ticksPerBatch];
        for (var i = 0; i < ticksPerBatch; i++)
        {
            var tradeId = ((long)round * ticksPerBatch) + i + 1;
            ticks[i] = new Tick(instrument, 100m + (tradeId % 97 * 0.01m), 0.5m, tradeId, now, now);
        }

        return new TickBatch(instrument, ticks);
    }
}
