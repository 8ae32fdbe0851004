using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Streams;

namespace PriceActors.Gateway.Streaming;

/// <summary>
/// Fans the update stream out to this gateway's streaming connections, whatever their transport. The gateway's stream
/// subscription carries exactly the instruments some local connection wants. One loop handles updates and subscriber
/// changes in arrival order and only offers messages to each connection's bounded queue (<see cref="StreamSubscriber"/>),
/// so a slow connection delays nobody. A new subscriber gets the current price first, or, resuming from a position, the
/// updates after it (from the pair's window) and a reset when they are gone; then only newer updates: per instrument,
/// what a client receives has strictly increasing (epoch, sequence) and, unless conflated, no gap.
/// </summary>
public sealed partial class PriceBroadcaster : BackgroundService, IUpdateObserver
{
    /// <summary>Updates and commands the loop buffers before dropping updates.</summary>
    public const int InboxCapacity = 65_536;

    /// <summary>Updates a joining instrument remembers for the connections between reading the pair and joining.</summary>
    private const int MaxRecent = 4_096;

    /// <summary>Updates read from a pair per call when replaying.</summary>
    private const int ReplayPage = 10_000;

    /// <summary>Candles read from a pair at once (after a long stall, older ones are skipped).</summary>
    private const int MaxCandlesPerRead = 100;

    private readonly Channel<Command> inbox = Channel.CreateBounded<Command>(new BoundedChannelOptions(InboxCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly IUpdateSubscription subscription;
    private readonly IGrainFactory grains;
    private readonly StreamingOptions options;
    private readonly TimeProvider time;
    private readonly ILogger<PriceBroadcaster> logger;
    private readonly SemaphoreSlim bindLock = new(1, 1);
    private readonly Dictionary<InstrumentKey, int> bindings = [];
    private readonly Dictionary<(string Exchange, string Symbol), InstrumentState> instruments = [];
    /// <summary>Connections with a subscription: changed by the loop only, read by health and operations reports too.</summary>
    private readonly ConcurrentDictionary<StreamSubscriber, byte> connections = new();
    private long dropped;
    private long lastDropLog;
    private long sent;
    private int connectionCount;
    private int instrumentCount;

    /// <summary>Creates the broadcaster and its (still empty) stream subscription.</summary>
    /// <param name="updates">Where the updates come from.</param>
    /// <param name="grains">The pair grains, asked for current prices and missed updates.</param>
    /// <param name="options">The replay limit.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where drops and failures are logged.</param>
    public PriceBroadcaster(IUpdateSource updates, IGrainFactory grains, IOptions<StreamingOptions> options, TimeProvider time, ILogger<PriceBroadcaster> logger)
    {
        this.grains = grains;
        this.options = options.Value;
        this.time = time;
        this.logger = logger;
        subscription = updates.Subscribe(this);
    }

    /// <summary>Connections with at least one subscription, instruments subscribed, updates offered to connections and dropped.</summary>
    public (int Connections, int Instruments, long Sent, long Dropped) GetStatistics() =>
        (Volatile.Read(ref connectionCount), Volatile.Read(ref instrumentCount), Interlocked.Read(ref sent), Interlocked.Read(ref dropped));

    /// <summary>Messages waiting in the connections' queues: in all, and in the fullest one.</summary>
    public (long Total, int Largest) GetQueued()
    {
        long total = 0;
        var largest = 0;
        foreach (var subscriber in connections.Keys)
        {
            var count = subscriber.Queue.Count;
            total += count;
            largest = Math.Max(largest, count);
        }

        return (total, largest);
    }

    /// <inheritdoc/>
    void IUpdateObserver.OnPriceUpdated(PriceUpdated update) => Offer(new Update(update));

    /// <inheritdoc/>
    void IUpdateObserver.OnMinuteBarClosed(MinuteBarClosed closed) => Offer(new BarClosed(closed));

    /// <summary>
    /// Subscribes a connection; completes once its first messages (current prices, or the missed updates) are written
    /// and its updates flow.
    /// </summary>
    /// <param name="subscriber">The connection.</param>
    /// <param name="keys">Known instruments.</param>
    /// <param name="since">Positions to resume from, per instrument; the others start from their current price.</param>
    /// <param name="options">The update rate and the candles wanted.</param>
    /// <param name="connectionAborted">Signalled when the connection goes away.</param>
    public async Task SubscribeAsync(
        StreamSubscriber subscriber,
        IReadOnlyList<InstrumentKey> keys,
        IReadOnlyDictionary<InstrumentKey, StreamPosition>? since,
        SubscriptionOptions options,
        CancellationToken connectionAborted)
    {
        // Bind, then have the loop track these instruments' updates, then read the pairs: every update the loop dropped
        // before tracking is in what the pairs answer, every later one is tracked, and the join starts the client from
        // the newer of the two.
        await AcquireAsync(keys);
        var track = new Track(keys, +1);
        await inbox.Writer.WriteAsync(track, CancellationToken.None);
        await track.Done.Task;
        Join join;
        try
        {
            var starts = await Task.WhenAll(keys.Select(k => StartOfAsync(k, since, connectionAborted)));
            join = new Join(subscriber, keys, starts, options, connectionAborted);
            await inbox.Writer.WriteAsync(join, connectionAborted);
        }
        catch
        {
            var untrack = new Track(keys, -1);
            await inbox.Writer.WriteAsync(untrack, CancellationToken.None);
            await untrack.Done.Task;
            await ReleaseAsync(keys);
            throw;
        }

        await join.Done.Task;
        await subscriber.FlushAsync(connectionAborted);
    }

    /// <summary>Unsubscribes a connection from instruments.</summary>
    /// <param name="subscriber">The connection.</param>
    /// <param name="keys">The instruments.</param>
    public async Task UnsubscribeAsync(StreamSubscriber subscriber, IReadOnlyList<InstrumentKey> keys)
    {
        var leave = new Leave(subscriber, keys);
        await inbox.Writer.WriteAsync(leave);
        await leave.Done.Task;
    }

    /// <summary>Forgets a connection that went away.</summary>
    /// <param name="subscriber">The connection.</param>
    public async Task DisconnectAsync(StreamSubscriber subscriber)
    {
        var leave = new Leave(subscriber, null);
        await inbox.Writer.WriteAsync(leave);
        await leave.Done.Task;
    }
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _ = TickCandlesAsync(stoppingToken);
        try
        {
            await foreach (var command in inbox.Reader.ReadAllAsync(stoppingToken))
            {
                try
                {
                    await HandleAsync(command);
                }
                catch (Exception error)
                {
                    LogCommandFailed(error, command.GetType().Name);
                    (command as Reply)?.Done.TrySetException(error);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            await subscription.DisposeAsync();
        }
    }

    private async Task TickCandlesAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                inbox.Writer.TryWrite(new CandleTick());
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    private Task HandleAsync(Command command)
    {
        switch (command)
        {
            case Update u:
                SendUpdate(u.Value);
                break;
            case BarClosed b:
                SendBar(b.Value);
                break;
            case Join j:
                return JoinAsync(j);
            case Track t:
                TrackInstruments(t);
                break;
            case Leave l:
                return LeaveAsync(l);
            case CandleTick:
                ReadDueCandles();
                break;
            case CandlesRead c:
                SendCandles(c);
                break;
        }

        return Task.CompletedTask;
    }

    private void SendUpdate(PriceUpdated update)
    {
        if (!instruments.TryGetValue((update.Exchange, update.Symbol), out var state) || !IsNewer(update, state.Latest))
        {
            return;
        }

        state.Latest = update;
        if (state.Joining > 0)
        {
            if (state.Recent.Count == MaxRecent)
            {
                state.Recent.RemoveAt(0);
            }

            state.Recent.Add(update);
        }

        if (state.Subscribers.Count == 0)
        {
            return;
        }

        var message = new PriceOut(state.Key, update, conflated: false);
        var conflated = 0;
        foreach (var subscriber in state.Subscribers)
        {
            var offered = message;
            if (state.Floors.Count > 0 && state.Floors.TryGetValue(subscriber, out var floor))
            {
                // A connection that joined from the pair's answer has what it answered: the stream's first updates may
                // repeat it (skipped) or overlap it (sent from where it stopped).
                if (update.Epoch < floor.Epoch || (update.Epoch == floor.Epoch && update.Sequence <= floor.Sequence))
                {
                    continue;
                }

                state.Floors.Remove(subscriber);
                if (update.Epoch == floor.Epoch && update.FirstSequence <= floor.Sequence)
                {
                    offered = new PriceOut(state.Key, update with { FirstSequence = floor.Sequence + 1 }, conflated: false);
                }
            }

            if (subscriber.Queue.OfferPrice(offered))
            {
                conflated++;
            }
        }

        Interlocked.Add(ref sent, state.Subscribers.Count);
        if (conflated > 0)
        {
            GatewayMetrics.CountConflated(conflated);
        }
    }

    /// <summary>Asks the pairs for the candles that closed since each interval's last ones, without waiting for them.</summary>
    private void ReadDueCandles()
    {
        var now = time.GetUtcNow();
        foreach (var state in instruments.Values)
        {
            foreach (var (interval, lane) in state.Candles)
            {
                var until = Align(now - options.CandleGrace, interval);
                if (lane.Reading || until <= lane.Next)
                {
                    continue;
                }

                lane.Reading = true;
                _ = ReadCandlesAsync(state.Key, interval, lane.Next, until);
            }
        }
    }

    private async Task ReadCandlesAsync(InstrumentKey key, TimeSpan interval, DateTimeOffset from, DateTimeOffset until)
    {
        Candle[]? candles = null;
        try
        {
            candles = await grains.GetGrain<IPairGrain>(key.Value).GetCandlesAsync(interval, from, until, MaxCandlesPerRead);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            LogCandlesFailed(error, key.Value, ClosedCandle.NameOf(interval));
        }

        await inbox.Writer.WriteAsync(new CandlesRead(key, interval, until, candles));
    }

    private void SendCandles(CandlesRead read)
    {
        if (!instruments.TryGetValue((read.Key.Exchange, read.Key.Symbol), out var state) || !state.Candles.TryGetValue(read.Interval, out var lane))
        {
            return;
        }

        lane.Reading = false;
        if (read.Candles is null)
        {
            return;
        }

        lane.Next = read.Until;
        foreach (var candle in read.Candles)
        {
            var message = new CandleOut(ClosedCandle.From(read.Key, read.Interval, candle));
            foreach (var subscriber in state.Subscribers)
            {
                if (subscriber.CandleIntervals.TryGetValue(read.Key, out var wanted) && wanted == read.Interval && !subscriber.Queue.Enqueue(message))
                {
                    subscriber.Disconnect("slow consumer: its outbound queue is full");
                }
            }
        }
    }

    private static DateTimeOffset Align(DateTimeOffset at, TimeSpan interval) =>
        new(at.UtcTicks - (at.UtcTicks % interval.Ticks), TimeSpan.Zero);

    private void SendBar(MinuteBarClosed closed)
    {
        if (instruments.TryGetValue((closed.Bar.Exchange, closed.Bar.Symbol), out var state))
        {
            var message = new BarOut(closed.Bar);
            foreach (var subscriber in state.Subscribers)
            {
                if (!subscriber.Queue.Enqueue(message))
                {
                    subscriber.Disconnect("slow consumer: its outbound queue is full");
                }
            }
        }
    }

    private void TrackInstruments(Track track)
    {
        foreach (var key in track.Keys)
        {
            if (!instruments.TryGetValue((key.Exchange, key.Symbol), out var state))
            {
                instruments[(key.Exchange, key.Symbol)] = state = new InstrumentState(key);
            }

            state.Joining += track.Delta;
            Forget(state);
        }

        UpdateCounts();
        track.Done.TrySetResult();
    }

    private void Forget(InstrumentState state)
    {
        if (state.Joining == 0)
        {
            state.Recent.Clear();
            if (state.Subscribers.Count == 0)
            {
                instruments.Remove((state.Key.Exchange, state.Key.Symbol));
            }
        }
    }

    private async Task JoinAsync(Join join)
    {
        if (join.ConnectionAborted.IsCancellationRequested || join.Subscriber.Stopped.IsCancellationRequested)
        {
            TrackInstruments(new Track(join.Keys, -1));
            await ReleaseAsync(join.Keys);
            join.Done.TrySetResult();
            return;
        }

        var subscriber = join.Subscriber;
        connections.TryAdd(subscriber, 0);

        for (var i = 0; i < join.Keys.Count; i++)
        {
            var key = join.Keys[i];
            var state = instruments[(key.Exchange, key.Symbol)];
            state.Joining--;
            if (!subscriber.Instruments.Add(key))
            {
                Forget(state);
                await ReleaseAsync([key]);
                continue;
            }

            subscriber.Queue.SetRate(key, join.Options.MaxUpdatesPerSecond);
            if (join.Options.CandleInterval > TimeSpan.Zero)
            {
                subscriber.CandleIntervals[key] = join.Options.CandleInterval;
                state.AddCandles(join.Options.CandleInterval, time.GetUtcNow());
            }

            Start(subscriber, state, join.Starts[i]);
            state.Subscribers.Add(subscriber);
            Forget(state);
        }

        UpdateCounts();
        join.Done.TrySetResult();
    }

    /// <summary>Queues a joining connection's first messages for one instrument: the missed updates, or a snapshot.</summary>
    /// <remarks>
    /// The pair may answer ahead of its update stream (a batch is counted before its update reaches this gateway), so
    /// the connection's start becomes its floor: the stream's updates up to it are not sent to it again. The shared
    /// latest update is the stream's alone, so the other connections miss nothing the pair answered first.
    /// </remarks>
    private static void Start(StreamSubscriber subscriber, InstrumentState state, JoinStart start)
    {
        if (start is { Outcome: ReplayOutcome.Filled, From: { } from })
        {
            var replay = start.Updates.Select(u => new PriceOut(state.Key, u, conflated: false)).ToList();
            var reached = replay.Count > 0 ? replay[^1].Update.Sequence : from.Sequence;

            // Updates that reached this gateway after the pair answered; one that does not continue the replay (the
            // remembered ones overflowed) is marked conflated, so the client sees a jump it can tell from a gap.
            foreach (var update in state.Recent)
            {
                if (update.Epoch == from.Epoch && update.Sequence > reached)
                {
                    var continues = update.FirstSequence <= reached + 1;
                    replay.Add(new PriceOut(state.Key, update with { FirstSequence = reached + 1 }, conflated: !continues));
                    reached = update.Sequence;
                }
            }

            subscriber.Queue.EnqueueReplay(replay);
            state.Floors[subscriber] = new StreamPosition(from.Epoch, reached);
            GatewayMetrics.Replayed.Add(start.Updates.Length);
            return;
        }

        var current = IsNewer(start.Latest, state.Latest) ? start.Latest : state.Latest;
        if (start.Reset is { } reset)
        {
            subscriber.Queue.Enqueue(new ResetOut(reset with { Epoch = current?.Epoch ?? reset.Epoch }));
            GatewayMetrics.Resets.Add(1, new KeyValuePair<string, object?>("reason", reset.Reason));
        }

        if (current is not null)
        {
            subscriber.Queue.EnqueueReplay([new PriceOut(state.Key, current, conflated: false)]);
            state.Floors[subscriber] = new StreamPosition(current.Epoch, current.Sequence);
        }
    }

    private async Task LeaveAsync(Leave leave)
    {
        var subscriber = leave.Subscriber;
        foreach (var key in leave.Keys ?? [.. subscriber.Instruments])
        {
            if (!subscriber.Instruments.Remove(key))
            {
                continue;
            }

            subscriber.Queue.Remove(key);
            subscriber.CandleIntervals.Remove(key, out var interval);
            if (instruments.TryGetValue((key.Exchange, key.Symbol), out var state))
            {
                state.Subscribers.Remove(subscriber);
                state.Floors.Remove(subscriber);
                state.RemoveCandles(interval);
                Forget(state);
            }

            await ReleaseAsync([key]);
        }

        if (subscriber.Instruments.Count == 0)
        {
            connections.TryRemove(subscriber, out _);
        }

        UpdateCounts();
        leave.Done.TrySetResult();
    }

    /// <summary>Reads what a joining connection starts an instrument from: the pair's updates after its position, or the current price.</summary>
    private async Task<JoinStart> StartOfAsync(InstrumentKey key, IReadOnlyDictionary<InstrumentKey, StreamPosition>? since, CancellationToken cancellationToken)
    {
        var pair = grains.GetGrain<IPairGrain>(key.Value);
        if (since is null || !since.TryGetValue(key, out var from))
        {
            return new JoinStart(null, ReplayOutcome.Filled, [], await pair.GetLatestPriceAsync().WaitAsync(cancellationToken), null);
        }

        var updates = new List<PriceUpdated>();
        var reached = from.Sequence;
        while (true)
        {
            var page = await pair.GetUpdatesSinceAsync(from.Epoch, reached, ReplayPage).WaitAsync(cancellationToken);
            if (page.Outcome != ReplayOutcome.Filled)
            {
                return new JoinStart(from, page.Outcome, [], page.Latest, ResetOf(key, page.Outcome, page.Latest, from));
            }

            updates.AddRange(page.Updates);
            if (updates.Count > options.MaxReplay)
            {
                var message = $"More than {options.MaxReplay} updates were missed after sequence {from.Sequence}; starting from the current price.";
                return new JoinStart(from, ReplayOutcome.TooOld, [], page.Latest, new StreamReset(key.Exchange, key.Symbol, from.Epoch, "tooOld", message));
            }

            if (!page.HasMore)
            {
                return new JoinStart(from, ReplayOutcome.Filled, [.. updates], page.Latest, null);
            }

            reached = page.Updates[^1].Sequence;
        }
    }

    private static StreamReset ResetOf(InstrumentKey key, ReplayOutcome outcome, PriceUpdated? latest, StreamPosition from)
    {
        var epoch = latest?.Epoch ?? 0;
        return outcome switch
        {
            ReplayOutcome.EpochChanged => new StreamReset(key.Exchange, key.Symbol, epoch, "epochChanged", $"The sequence restarted: epoch {from.Epoch} is over, the current one is {epoch}."),
            ReplayOutcome.TooOld => new StreamReset(key.Exchange, key.Symbol, epoch, "tooOld", $"The updates after sequence {from.Sequence} have left the window."),
            _ => new StreamReset(key.Exchange, key.Symbol, epoch, "ahead", $"Sequence {from.Sequence} is beyond the last trade ({latest?.Sequence ?? 0})."),
        };
    }

    private void UpdateCounts()
    {
        Volatile.Write(ref connectionCount, connections.Count);
        Volatile.Write(ref instrumentCount, instruments.Count);
    }

    private static bool IsNewer(PriceUpdated? candidate, PriceUpdated? current) =>
        candidate is not null
        && (current is null || candidate.Epoch > current.Epoch || (candidate.Epoch == current.Epoch && candidate.Sequence > current.Sequence));

    private async Task AcquireAsync(IReadOnlyList<InstrumentKey> keys)
    {
        await bindLock.WaitAsync();
        try
        {
            foreach (var key in keys)
            {
                var count = bindings.GetValueOrDefault(key);
                if (count == 0)
                {
                    await subscription.AddAsync(key);
                }

                bindings[key] = count + 1;
            }
        }
        finally
        {
            bindLock.Release();
        }
    }

    private async Task ReleaseAsync(IReadOnlyList<InstrumentKey> keys)
    {
        await bindLock.WaitAsync();
        try
        {
            foreach (var key in keys)
            {
                var count = bindings.GetValueOrDefault(key) - 1;
                if (count > 0)
                {
                    bindings[key] = count;
                }
                else if (bindings.Remove(key))
                {
                    await subscription.RemoveAsync(key);
                }
            }
        }
        finally
        {
            bindLock.Release();
        }
    }

    private void Offer(Command command)
    {
        if (inbox.Writer.TryWrite(command))
        {
            return;
        }

        var total = Interlocked.Increment(ref dropped);
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref lastDropLog);
        if (time.GetElapsedTime(last, now) > TimeSpan.FromSeconds(10) && Interlocked.CompareExchange(ref lastDropLog, now, last) == last)
        {
            LogDropped(total, InboxCapacity);
        }
    }

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Broadcaster inbox full ({Capacity}): {Dropped} updates dropped so far")]
    private partial void LogDropped(long dropped, int capacity);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Reading the {Interval} candles of {Instrument} failed; trying again in a second")]
    private partial void LogCandlesFailed(Exception error, string instrument, string interval);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "Broadcaster failed to handle {Command}")]
    private partial void LogCommandFailed(Exception error, string command);

    private abstract record Command;

    private abstract record Reply : Command
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record Update(PriceUpdated Value) : Command;

    private sealed record BarClosed(MinuteBarClosed Value) : Command;

    private sealed record Join(
        StreamSubscriber Subscriber, IReadOnlyList<InstrumentKey> Keys, JoinStart[] Starts, SubscriptionOptions Options, CancellationToken ConnectionAborted) : Reply;

    /// <summary>Once a second: candles whose interval ended (plus the grace) are due.</summary>
    private sealed record CandleTick : Command;

    /// <summary>A pair answered the candles of one interval up to <paramref name="Until"/> (null when it failed).</summary>
    private sealed record CandlesRead(InstrumentKey Key, TimeSpan Interval, DateTimeOffset Until, Candle[]? Candles) : Command;

    private sealed record Leave(StreamSubscriber Subscriber, IReadOnlyList<InstrumentKey>? Keys) : Reply;

    /// <summary>Starts (+1) or stops (-1) tracking the latest update of instruments a connection is joining.</summary>
    private sealed record Track(IReadOnlyList<InstrumentKey> Keys, int Delta) : Reply;

    /// <summary>What a pair answered a joining connection: the missed updates (filled), or a reset, and its latest update.</summary>
    private sealed record JoinStart(StreamPosition? From, ReplayOutcome Outcome, PriceUpdated[] Updates, PriceUpdated? Latest, StreamReset? Reset);

    private sealed class InstrumentState(InstrumentKey key)
    {
        public InstrumentKey Key { get; } = key;

        public PriceUpdated? Latest { get; set; }

        public HashSet<StreamSubscriber> Subscribers { get; } = [];

        /// <summary>Joined connections whose start (the pair's answer) the stream has not passed yet.</summary>
        public Dictionary<StreamSubscriber, StreamPosition> Floors { get; } = [];

        /// <summary>Connections between binding and joining: the updates are tracked for them already.</summary>
        public int Joining { get; set; }

        /// <summary>While connections are joining, the updates since they started (at most <see cref="MaxRecent"/>).</summary>
        public List<PriceUpdated> Recent { get; } = [];

        /// <summary>The candle intervals subscribers want, each with where its next candle starts.</summary>
        public Dictionary<TimeSpan, CandleLane> Candles { get; } = [];

        public void AddCandles(TimeSpan interval, DateTimeOffset now)
        {
            if (!Candles.TryGetValue(interval, out var lane))
            {
                // From the candle open now: the first one sent closes after the subscription began.
                Candles[interval] = lane = new CandleLane { Next = Align(now, interval) };
            }

            lane.Subscribers++;
        }

        public void RemoveCandles(TimeSpan interval)
        {
            if (Candles.TryGetValue(interval, out var lane) && --lane.Subscribers == 0)
            {
                Candles.Remove(interval);
            }
        }
    }

    private sealed class CandleLane
    {
        public int Subscribers { get; set; }

        /// <summary>The open time of the next candle to send.</summary>
        public DateTimeOffset Next { get; set; }

        /// <summary>A read from the pair is on its way.</summary>
        public bool Reading { get; set; }
    }
}
