using PriceActors.Grains;
using PriceActors.Grains.Streams;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// A publisher's ticks not yet published, per partition: messages to publish again first, then batches not yet
/// packed. Publishers add from any thread; one loop takes messages and puts failed ones back.
/// </summary>
internal sealed class TickOutbox
{
    private readonly RabbitMqOptions options;
    private readonly TimeProvider time;
    private readonly Lock gate = new();
    private readonly Queue<PendingTickBatch>[] pending;
    private readonly Queue<OutgoingTickMessage>[] retry;
    private long pendingTicks;
    private long pendingSince;
    private int retries;
    private int cursor;

    public TickOutbox(int partitionCount, RabbitMqOptions options, TimeProvider time)
    {
        this.options = options;
        this.time = time;
        pending = [.. Enumerable.Range(0, partitionCount).Select(_ => new Queue<PendingTickBatch>())];
        retry = [.. Enumerable.Range(0, partitionCount).Select(_ => new Queue<OutgoingTickMessage>())];
    }

    public void Add(PendingTickBatch item)
    {
        lock (gate)
        {
            pending[PartitionMap.PartitionOf(item.Batch.Instrument, pending.Length)].Enqueue(item);
            if (pendingTicks == 0)
            {
                pendingSince = time.GetTimestamp();
            }

            pendingTicks += item.Batch.Ticks.Length;
        }
    }

    /// <summary>
    /// How long to wait before taking: what is left of <paramref name="interval"/> since the oldest tick not yet packed
    /// arrived, while there is less than one full message and nothing to publish again; otherwise zero.
    /// </summary>
    public TimeSpan FlushDelay(TimeSpan interval)
    {
        lock (gate)
        {
            if (retries > 0 || pendingTicks == 0 || pendingTicks >= options.TicksPerMessage)
            {
                return TimeSpan.Zero;
            }

            var left = interval - time.GetElapsedTime(pendingSince);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }

    /// <summary>
    /// Takes up to <paramref name="max"/> messages, one per partition in turn, a partition's retries before its new ticks.
    /// The turn goes on where the last take stopped, so a window that frees one slot at a time is shared fairly.
    /// </summary>
    public List<OutgoingTickMessage> Take(int max)
    {
        var messages = new List<OutgoingTickMessage>();
        var builds = new List<(int Partition, List<TickBatch> Runs, PendingTickBatch[] Parts)>();
        lock (gate)
        {
            for (var idle = 0; idle < pending.Length && messages.Count + builds.Count < max; cursor = (cursor + 1) % pending.Length)
            {
                if (retry[cursor].TryDequeue(out var again))
                {
                    retries--;
                    messages.Add(again);
                    idle = 0;
                }
                else if (pending[cursor].Count > 0)
                {
                    builds.Add(Build(cursor));
                    idle = 0;
                }
                else
                {
                    idle++;
                }
            }
        }

        // Encoding happens outside the lock so publishers are not held up; one take's retries and new messages
        // of a partition never mix (a partition's new ticks are packed only once its retries are taken), so
        // appending keeps each partition's order.
        messages.AddRange(builds.Select(b => new OutgoingTickMessage(b.Partition, TickCodec.Encode(b.Runs, options.TickMessageVersion), b.Parts)));
        return messages;
    }

    /// <summary>Puts failed messages, in the order they were published, back in front of their partitions' queues.</summary>
    public void Requeue(IEnumerable<OutgoingTickMessage> failed)
    {
        lock (gate)
        {
            foreach (var group in failed.GroupBy(m => m.Partition))
            {
                var rest = retry[group.Key].ToArray();
                retry[group.Key] = new Queue<OutgoingTickMessage>(group.Concat(rest));
                retries += group.Count();
            }
        }
    }

    /// <summary>Every batch still held, for failing them when the publisher is disposed.</summary>
    public List<PendingTickBatch> Held()
    {
        lock (gate)
        {
            return [.. pending.SelectMany(q => q).Concat(retry.SelectMany(q => q).SelectMany(m => m.Parts))];
        }
    }

    private (int, List<TickBatch>, PendingTickBatch[]) Build(int partition)
    {
        var runs = new List<TickBatch>();
        var parts = new List<PendingTickBatch>();
        var ticks = 0;
        while (ticks < options.TicksPerMessage && pending[partition].TryPeek(out var item))
        {
            var take = Math.Min(options.TicksPerMessage - ticks, item.Batch.Ticks.Length - item.Offset);
            runs.Add(new TickBatch(item.Batch.Instrument, item.Batch.Ticks.Slice(item.Offset, take)));
            parts.Add(item);
            item.Offset += take;
            ticks += take;
            if (item.Offset == item.Batch.Ticks.Length)
            {
                pending[partition].Dequeue();
            }
            else
            {
                item.OpenParts++;
            }
        }

        pendingTicks -= ticks;
        return (partition, runs, [.. parts]);
    }
}
