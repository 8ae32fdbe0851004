using System.Collections.Concurrent;
using PriceActors.Grains;
using PriceActors.Grains.Streams;

namespace PriceActors.Tests.Silo.RabbitMq;

/// <summary>A tick handler that records what one consumer ("process") handled, per instrument and per partition.</summary>
internal sealed class TickRecorder(int partitions)
{
    private readonly Lock gate = new();
    private readonly Dictionary<InstrumentKey, List<Tick>> byInstrument = [];
    private int total;

    public ConcurrentDictionary<int, byte> Partitions { get; } = new();

    public int Total => Volatile.Read(ref total);

    /// <summary>Runs inside the handler before a batch is recorded; may block to hold the partition.</summary>
    public Func<TickBatch, CancellationToken, Task>? BeforeRecord { get; set; }

    public async ValueTask HandleAsync(TickBatch batch, CancellationToken cancellationToken)
    {
        if (BeforeRecord is { } before)
        {
            await before(batch, cancellationToken);
        }

        Partitions.TryAdd(PartitionMap.PartitionOf(batch.Instrument, partitions), 0);
        lock (gate)
        {
            if (!byInstrument.TryGetValue(batch.Instrument, out var list))
            {
                byInstrument[batch.Instrument] = list = [];
            }

            list.AddRange(batch.Ticks.ToArray());
            total += batch.Ticks.Length;
        }
    }

    public List<Tick> Of(InstrumentKey instrument)
    {
        lock (gate)
        {
            return byInstrument.TryGetValue(instrument, out var list) ? [.. list] : [];
        }
    }
}
