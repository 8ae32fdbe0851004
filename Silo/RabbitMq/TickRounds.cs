using PriceActors.Grains;
using PriceActors.Grains.Streams;

namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// The ticks waiting to be published, per partition, and what goes in the next confirm round: up to
/// <c>maxMessages</c> messages of up to <c>ticksPerMessage</c> ticks, a partition's retries before its new ticks.
/// </summary>
/// <remarks>
/// A round's messages are all published before any confirm is awaited, and the broker may nack one while it
/// confirms a later one of the same queue (a quorum queue losing its leader, a queue process restarting). A pair
/// takes an instrument's trades in order and counts older ones as duplicates, so had both messages carried the
/// same instrument, the retried earlier trades would arrive after the later ones and be dropped. An instrument is
/// therefore in one message of a round at most, and a message that fails goes out again, in a later round, before
/// any later tick of its instruments. A partition's other instruments are not held up behind a busy one: they are
/// taken past its ticks. One instrument moves at most one message (<c>ticksPerMessage</c> ticks) a round.
/// </remarks>
internal sealed class TickRounds
{
    private readonly Lock gate = new();
    private readonly int ticksPerMessage;
    private readonly int maxMessages;
    private readonly List<PendingTickBatch>[] pending;
    private readonly Queue<OutgoingTickMessage>[] retry;

    // Reused by Take, which the publishing loop alone calls: instruments in the round's messages of each partition.
    private readonly HashSet<InstrumentKey>[] inRound;
    private readonly HashSet<InstrumentKey> inMessage = [];
    private long pendingTicks;

    public TickRounds(int partitionCount, int ticksPerMessage, int maxMessages)
    {
        this.ticksPerMessage = ticksPerMessage;
        this.maxMessages = maxMessages;
        pending = [.. Enumerable.Range(0, partitionCount).Select(_ => new List<PendingTickBatch>())];
        retry = [.. Enumerable.Range(0, partitionCount).Select(_ => new Queue<OutgoingTickMessage>())];
        inRound = [.. Enumerable.Range(0, partitionCount).Select(_ => new HashSet<InstrumentKey>())];
    }

    public int PartitionCount => pending.Length;

    /// <summary>Ticks added and not yet put in a message.</summary>
    public long PendingTicks => Volatile.Read(ref pendingTicks);

    public void Add(PendingTickBatch item)
    {
        lock (gate)
        {
            pending[PartitionMap.PartitionOf(item.Batch.Instrument, pending.Length)].Add(item);
            pendingTicks += item.Batch.Ticks.Length;
        }
    }

    /// <summary>Takes the next round: one message per partition in turn, until no partition has more or the round is full.</summary>
    /// <param name="messageVersion">The version new messages are encoded in (<see cref="RabbitMqOptions.TickMessageVersion"/>).</param>
    public List<OutgoingTickMessage> Take(int messageVersion)
    {
        var round = new List<OutgoingTickMessage>();
        var builds = new List<(int Partition, List<TickBatch> Runs, PendingTickBatch[] Parts)>();
        lock (gate)
        {
            foreach (var instruments in inRound)
            {
                instruments.Clear();
            }

            for (var progress = true; progress && round.Count + builds.Count < maxMessages;)
            {
                progress = false;
                for (var p = 0; p < pending.Length && round.Count + builds.Count < maxMessages; p++)
                {
                    if (retry[p].TryPeek(out var again))
                    {
                        // While a partition has retries, its new ticks wait: they may follow a retried one's.
                        if (!Overlaps(again, inRound[p]))
                        {
                            retry[p].Dequeue();
                            round.Add(again);
                            inRound[p].UnionWith(again.Parts.Select(part => part.Batch.Instrument));
                            progress = true;
                        }
                    }
                    else if (Build(p) is { } build)
                    {
                        builds.Add(build);
                        progress = true;
                    }
                }
            }

            foreach (var queue in pending)
            {
                queue.RemoveAll(item => item.Offset == item.Batch.Ticks.Length);
            }
        }

        // Encoding happens outside the lock so publishers are not held up. A partition's retries were taken in
        // passes before any of its new messages, so appending the new ones keeps each partition's order.
        round.AddRange(builds.Select(b => new OutgoingTickMessage(b.Partition, TickCodec.Encode(b.Runs, messageVersion), b.Parts)));
        return round;
    }

    /// <summary>Queues failed messages for the next rounds, each partition's in the order they were taken, ahead of its other retries.</summary>
    public void Requeue(IEnumerable<OutgoingTickMessage> failed)
    {
        lock (gate)
        {
            foreach (var group in failed.GroupBy(m => m.Partition))
            {
                var rest = retry[group.Key].ToArray();
                retry[group.Key] = new Queue<OutgoingTickMessage>(group.Concat(rest));
            }
        }
    }

    /// <summary>Counts <paramref name="message"/> confirmed and hands each batch it leaves with every part confirmed to <paramref name="completed"/>.</summary>
    public static void Confirm(OutgoingTickMessage message, Action<PendingTickBatch> completed)
    {
        foreach (var item in message.Parts)
        {
            if (--item.OpenParts == 0)
            {
                completed(item);
            }
        }
    }

    /// <summary>Fails every batch not confirmed yet, waiting or in a message to retry.</summary>
    public void FailAll(Exception error)
    {
        lock (gate)
        {
            foreach (var item in pending.SelectMany(q => q).Concat(retry.SelectMany(q => q).SelectMany(m => m.Parts)))
            {
                item.Confirmed.TrySetException(error);
            }
        }
    }

    private static bool Overlaps(OutgoingTickMessage message, HashSet<InstrumentKey> instruments) =>
        message.Parts.Any(part => instruments.Contains(part.Batch.Instrument));

    /// <summary>
    /// One message of <paramref name="partition"/>'s waiting ticks, in order per instrument, skipping instruments
    /// already in another message of the round (and so every later tick of theirs); null when nothing can go.
    /// </summary>
    private (int, List<TickBatch>, PendingTickBatch[])? Build(int partition)
    {
        List<TickBatch>? runs = null;
        List<PendingTickBatch>? parts = null;
        var ticks = 0;
        inMessage.Clear();
        foreach (var item in pending[partition])
        {
            if (ticks == ticksPerMessage)
            {
                break;
            }

            var instrument = item.Batch.Instrument;
            if (item.Offset == item.Batch.Ticks.Length || (inRound[partition].Contains(instrument) && !inMessage.Contains(instrument)))
            {
                continue;
            }

            var take = Math.Min(ticksPerMessage - ticks, item.Batch.Ticks.Length - item.Offset);
            (runs ??= []).Add(new TickBatch(instrument, item.Batch.Ticks.Slice(item.Offset, take)));
            (parts ??= []).Add(item);
            inMessage.Add(instrument);
            inRound[partition].Add(instrument);
            item.Offset += take;
            ticks += take;
            if (item.Offset < item.Batch.Ticks.Length)
            {
                item.OpenParts++;
            }
        }

        if (runs is null || parts is null)
        {
            return null;
        }

        pendingTicks -= ticks;
        return (partition, runs, [.. parts]);
    }
}
