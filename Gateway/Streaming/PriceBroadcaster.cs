using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using PriceActors.Grains;
using PriceActors.Grains.Streams;

namespace PriceActors.Gateway.Streaming;

/// <summary>
/// Fans the update stream out to this gateway's hub subscribers. The gateway's stream subscription
/// carries exactly the instruments some local client wants. One loop handles updates and subscriber
/// changes in arrival order, so a new subscriber gets the current price first and then only newer
/// updates: per instrument, what a client receives has strictly increasing (epoch, sequence).
/// </summary>
public sealed partial class PriceBroadcaster : BackgroundService, IUpdateObserver
{
    /// <summary>Updates and commands the loop buffers before dropping updates.</summary>
    public const int InboxCapacity = 65_536;

    private readonly Channel<Command> inbox = Channel.CreateBounded<Command>(new BoundedChannelOptions(InboxCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    private readonly IUpdateSubscription subscription;
    private readonly IHubContext<PriceHub> hub;
    private readonly IGrainFactory grains;
    private readonly TimeProvider time;
    private readonly ILogger<PriceBroadcaster> logger;
    private readonly SemaphoreSlim bindLock = new(1, 1);
    private readonly Dictionary<InstrumentKey, int> bindings = [];
    private readonly Dictionary<(string Exchange, string Symbol), InstrumentState> instruments = [];
    private readonly Dictionary<string, HashSet<InstrumentKey>> connections = [];
    private long dropped;
    private long lastDropLog;
    private long sent;
    private int connectionCount;
    private int instrumentCount;

    /// <summary>Creates the broadcaster and its (still empty) stream subscription.</summary>
    /// <param name="updates">Where the updates come from.</param>
    /// <param name="hub">The price hub.</param>
    /// <param name="grains">The pair grains, asked for current prices.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">Where drops and failures are logged.</param>
    public PriceBroadcaster(IUpdateSource updates, IHubContext<PriceHub> hub, IGrainFactory grains, TimeProvider time, ILogger<PriceBroadcaster> logger)
    {
        this.hub = hub;
        this.grains = grains;
        this.time = time;
        this.logger = logger;
        subscription = updates.Subscribe(this);
    }

    /// <summary>Connections with at least one subscription, instruments subscribed, updates sent and dropped.</summary>
    public (int Connections, int Instruments, long Sent, long Dropped) GetStatistics() =>
        (Volatile.Read(ref connectionCount), Volatile.Read(ref instrumentCount), Interlocked.Read(ref sent), Interlocked.Read(ref dropped));

    /// <inheritdoc/>
    void IUpdateObserver.OnPriceUpdated(PriceUpdated update) => Offer(new Update(update));

    /// <inheritdoc/>
    void IUpdateObserver.OnMinuteBarClosed(MinuteBarClosed closed) => Offer(new BarClosed(closed));

    /// <summary>Subscribes a connection; completes once its current prices are sent and its updates flow.</summary>
    /// <param name="connectionId">The SignalR connection.</param>
    /// <param name="keys">Known instruments.</param>
    /// <param name="connectionAborted">Signalled when the connection goes away.</param>
    public async Task SubscribeAsync(string connectionId, IReadOnlyList<InstrumentKey> keys, CancellationToken connectionAborted)
    {
        // Bind, then have the loop track these instruments' updates, then read the snapshot: every update
        // the loop dropped before tracking is older than the snapshot, every later one is tracked, and the
        // join starts the client from the newer of the snapshot and the tracked latest.
        await AcquireAsync(keys);
        var track = new Track(keys, +1);
        await inbox.Writer.WriteAsync(track, CancellationToken.None);
        await track.Done.Task;
        Join join;
        try
        {
            var snapshots = await Task.WhenAll(keys.Select(k => grains.GetGrain<IPairGrain>(k.Value).GetLatestPriceAsync().WaitAsync(connectionAborted)));
            join = new Join(connectionId, keys, snapshots, connectionAborted);
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
    }

    /// <summary>Unsubscribes a connection from instruments.</summary>
    /// <param name="connectionId">The SignalR connection.</param>
    /// <param name="keys">The instruments.</param>
    public async Task UnsubscribeAsync(string connectionId, IReadOnlyList<InstrumentKey> keys)
    {
        var leave = new Leave(connectionId, keys);
        await inbox.Writer.WriteAsync(leave);
        await leave.Done.Task;
    }

    /// <summary>Forgets a connection that went away.</summary>
    /// <param name="connectionId">The SignalR connection.</param>
    public async Task DisconnectAsync(string connectionId)
    {
        var leave = new Leave(connectionId, null);
        await inbox.Writer.WriteAsync(leave);
        await leave.Done.Task;
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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

    private Task HandleAsync(Command command) => command switch
    {
        Update u => SendUpdateAsync(u.Value),
        BarClosed b => SendBarAsync(b.Value),
        Join j => JoinAsync(j),
        Track t => TrackAsync(t),
        Leave l => LeaveAsync(l),
        _ => Task.CompletedTask,
    };

    private async Task SendUpdateAsync(PriceUpdated update)
    {
        if (instruments.TryGetValue((update.Exchange, update.Symbol), out var state) && IsNewer(update, state.Latest))
        {
            state.Latest = update;
            if (state.Subscribers == 0)
            {
                return;
            }

            Interlocked.Increment(ref sent);

            // REVIEW: a stalled connection's full output pipe delays this loop; per-connection bounded
            // queues with conflation arrive with the subscriber-scaling work.
            await new PriceClientProxy(hub.Clients.Group(state.Group)).PriceUpdated(update);
        }
    }

    private async Task SendBarAsync(MinuteBarClosed closed)
    {
        if (instruments.TryGetValue((closed.Bar.Exchange, closed.Bar.Symbol), out var state))
        {
            await new PriceClientProxy(hub.Clients.Group(state.Group)).MinuteBarClosed(closed.Bar);
        }
    }

    private Task TrackAsync(Track track)
    {
        foreach (var key in track.Keys)
        {
            if (!instruments.TryGetValue((key.Exchange, key.Symbol), out var state))
            {
                instruments[(key.Exchange, key.Symbol)] = state = new InstrumentState(key.Value);
            }

            state.Joining += track.Delta;
            Forget(key, state);
        }

        UpdateCounts();
        track.Done.TrySetResult();
        return Task.CompletedTask;
    }

    private void Forget(InstrumentKey key, InstrumentState state)
    {
        if (state.Subscribers == 0 && state.Joining == 0)
        {
            instruments.Remove((key.Exchange, key.Symbol));
        }
    }

    private async Task JoinAsync(Join join)
    {
        if (join.ConnectionAborted.IsCancellationRequested)
        {
            await TrackAsync(new Track(join.Keys, -1));
            await ReleaseAsync(join.Keys);
            join.Done.TrySetResult();
            return;
        }

        if (!connections.TryGetValue(join.ConnectionId, out var subscribed))
        {
            connections[join.ConnectionId] = subscribed = [];
        }

        var client = new PriceClientProxy(hub.Clients.Client(join.ConnectionId));
        for (var i = 0; i < join.Keys.Count; i++)
        {
            var key = join.Keys[i];
            var state = instruments[(key.Exchange, key.Symbol)];
            state.Joining--;
            if (!subscribed.Add(key))
            {
                Forget(key, state);
                await ReleaseAsync([key]);
                continue;
            }

            state.Subscribers++;
            if (IsNewer(join.Snapshots[i], state.Latest))
            {
                state.Latest = join.Snapshots[i];
            }

            if (state.Latest is { } current)
            {
                await client.PriceUpdated(current);
            }

            await hub.Groups.AddToGroupAsync(join.ConnectionId, state.Group);
        }

        UpdateCounts();
        join.Done.TrySetResult();
    }

    private async Task LeaveAsync(Leave leave)
    {
        if (connections.TryGetValue(leave.ConnectionId, out var subscribed))
        {
            foreach (var key in leave.Keys ?? [.. subscribed])
            {
                if (!subscribed.Remove(key))
                {
                    continue;
                }

                if (leave.Keys is not null)
                {
                    await hub.Groups.RemoveFromGroupAsync(leave.ConnectionId, key.Value);
                }

                if (instruments.TryGetValue((key.Exchange, key.Symbol), out var state))
                {
                    state.Subscribers--;
                    Forget(key, state);
                }

                await ReleaseAsync([key]);
            }

            if (subscribed.Count == 0)
            {
                connections.Remove(leave.ConnectionId);
            }
        }

        UpdateCounts();
        leave.Done.TrySetResult();
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

    [LoggerMessage(EventId = 4002, Level = LogLevel.Error, Message = "Broadcaster failed to handle {Command}")]
    private partial void LogCommandFailed(Exception error, string command);

    private abstract record Command;

    private abstract record Reply : Command
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record Update(PriceUpdated Value) : Command;

    private sealed record BarClosed(MinuteBarClosed Value) : Command;

    private sealed record Join(string ConnectionId, IReadOnlyList<InstrumentKey> Keys, PriceUpdated?[] Snapshots, CancellationToken ConnectionAborted) : Reply;

    private sealed record Leave(string ConnectionId, IReadOnlyList<InstrumentKey>? Keys) : Reply;

    /// <summary>Starts (+1) or stops (-1) tracking the latest update of instruments a connection is joining.</summary>
    private sealed record Track(IReadOnlyList<InstrumentKey> Keys, int Delta) : Reply;

    private sealed class InstrumentState(string group)
    {
        public string Group { get; } = group;

        public PriceUpdated? Latest { get; set; }

        public int Subscribers { get; set; }

        /// <summary>Connections between binding and joining: the latest update is tracked for them already.</summary>
        public int Joining { get; set; }
    }
}
