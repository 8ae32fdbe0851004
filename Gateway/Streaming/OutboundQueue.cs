using PriceActors.Grains;

namespace PriceActors.Gateway.Streaming;

/// <summary>
/// One connection's outbound messages, bounded. Price updates wait in order until the queue holds
/// <see cref="Capacity"/> messages; past that, and while an instrument is above the rate its subscription asked for,
/// each instrument's updates merge into one held update (the latest price, the first sequence of the first merged), so
/// the queue never holds more than its capacity plus one update per instrument. A held update leaves once the queue
/// has drained (or the instrument's next slot has come), after the ones before it: per instrument the order is kept.
/// Other messages (bars, resets, replayed updates, markers) are not merged; they are bounded by their producers.
/// </summary>
internal sealed class OutboundQueue(int capacity, TimeProvider time)
{
    private readonly Lock gate = new();
    private readonly Queue<Outbound> queue = new();
    private readonly Dictionary<InstrumentKey, Lane> lanes = [];
    private TaskCompletionSource? waiter;
    private int held;
    private bool closed;

    public int Capacity { get; } = capacity;

    /// <summary>Messages waiting, held updates included.</summary>
    public int Count
    {
        get
        {
            lock (gate)
            {
                return queue.Count + held;
            }
        }
    }

    /// <summary>Limits an instrument to <paramref name="maxPerSecond"/> updates a second (0: every update).</summary>
    public void SetRate(InstrumentKey instrument, double maxPerSecond)
    {
        lock (gate)
        {
            LaneOf(instrument).MinInterval = maxPerSecond > 0 ? (long)(time.TimestampFrequency / maxPerSecond) : 0;
        }
    }

    /// <summary>Forgets an instrument the connection left, with its held update.</summary>
    public void Remove(InstrumentKey instrument)
    {
        lock (gate)
        {
            if (lanes.Remove(instrument, out var lane) && lane.Held is not null)
            {
                held--;
            }
        }
    }

    /// <summary>Queues a live update, or merges it into the instrument's held one.</summary>
    /// <returns>True when the update was merged into another (conflated) rather than queued on its own.</returns>
    public bool OfferPrice(PriceOut update)
    {
        lock (gate)
        {
            if (closed)
            {
                return false;
            }

            var lane = LaneOf(update.Instrument);
            var now = time.GetTimestamp();
            if (lane.Held is { } waiting)
            {
                lane.Held = new PriceOut(update.Instrument, update.Update with { FirstSequence = waiting.Update.FirstSequence }, conflated: true);
                return true;
            }

            if (lane.MinInterval > 0 && now < lane.NextSlot)
            {
                Hold(lane, update, lane.NextSlot);
                return false;
            }

            if (queue.Count >= Capacity)
            {
                Hold(lane, update, now);
                return false;
            }

            queue.Enqueue(update);
            lane.NextSlot = now + lane.MinInterval;
            Signal();
            return false;
        }
    }

    /// <summary>Queues a message that is never merged.</summary>
    /// <returns>False when the queue holds twice its capacity already: the connection is stuck.</returns>
    public bool Enqueue(Outbound message)
    {
        lock (gate)
        {
            if (closed || queue.Count >= 2 * Capacity)
            {
                return false;
            }

            queue.Enqueue(message);
            Signal();
            return true;
        }
    }

    /// <summary>Queues replayed updates past the capacity: their number is bounded by the replay limit.</summary>
    public void EnqueueReplay(IEnumerable<PriceOut> updates)
    {
        lock (gate)
        {
            if (closed)
            {
                return;
            }

            foreach (var update in updates)
            {
                queue.Enqueue(update);
            }

            Signal();
        }
    }

    /// <summary>Waits until a message is due (queued, or a held update's slot has come).</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        Task signal;
        TimeSpan wait;
        lock (gate)
        {
            var next = NextDue();
            if (queue.Count > 0 || next <= time.GetTimestamp())
            {
                return;
            }

            waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            signal = waiter.Task;
            wait = next == long.MaxValue ? Timeout.InfiniteTimeSpan : time.GetElapsedTime(time.GetTimestamp(), next);
        }

        try
        {
            await signal.WaitAsync(wait, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // A held update is due.
        }
    }

    /// <summary>Takes up to <paramref name="max"/> due messages, queued ones first, then held ones once the queue is empty.</summary>
    public void Take(List<Outbound> batch, int max)
    {
        lock (gate)
        {
            while (batch.Count < max && queue.TryDequeue(out var message))
            {
                batch.Add(message);
            }

            if (queue.Count > 0 || held == 0)
            {
                return;
            }

            var now = time.GetTimestamp();
            foreach (var lane in lanes.Values)
            {
                if (lane.Held is { } update && lane.Due <= now)
                {
                    batch.Add(update);
                    lane.Held = null;
                    lane.NextSlot = now + lane.MinInterval;
                    held--;
                }
            }
        }
    }

    /// <summary>Ends the queue: markers still waiting are cancelled, later messages are refused.</summary>
    public void Close()
    {
        lock (gate)
        {
            closed = true;
            while (queue.TryDequeue(out var message))
            {
                (message as MarkerOut)?.Written.TrySetCanceled();
            }

            lanes.Clear();
            held = 0;
            Signal();
        }
    }

    private void Hold(Lane lane, PriceOut update, long due)
    {
        lane.Held = update;
        lane.Due = due;
        held++;
        Signal();
    }

    private long NextDue()
    {
        if (held == 0)
        {
            return long.MaxValue;
        }

        var next = long.MaxValue;
        foreach (var lane in lanes.Values)
        {
            if (lane.Held is not null && lane.Due < next)
            {
                next = lane.Due;
            }
        }

        return next;
    }

    private void Signal()
    {
        var woken = waiter;
        waiter = null;
        woken?.TrySetResult();
    }

    private Lane LaneOf(InstrumentKey instrument)
    {
        if (!lanes.TryGetValue(instrument, out var lane))
        {
            lanes[instrument] = lane = new Lane();
        }

        return lane;
    }

    private sealed class Lane
    {
        /// <summary>Timestamp ticks between two updates; 0 for no limit.</summary>
        public long MinInterval { get; set; }

        /// <summary>When the next update may be queued.</summary>
        public long NextSlot { get; set; }

        /// <summary>The update waiting for the queue to drain or the next slot; later ones merge into it.</summary>
        public PriceOut? Held { get; set; }

        /// <summary>When the held update may leave.</summary>
        public long Due { get; set; }
    }
}
