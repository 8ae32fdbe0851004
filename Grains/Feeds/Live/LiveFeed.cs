using System.Net.Sockets;
using System.Net.WebSockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;

namespace PriceActors.Grains.Feeds.Live;

/// <summary>
/// The live feed of one exchange. A connection loop on the thread pool keeps one connection open (Polly's exponential
/// back-off with jitter between failed attempts; a connection silent past <c>StaleAfter</c> is dropped; Binance's is
/// replaced before its 24-hour cut), sends the protocol's subscriptions and pings, and reads frames: trades are put in
/// trade-id order per instrument, trades seen before (a snapshot after a reconnect) are dropped, jumps in consecutive
/// ids are counted as gaps, malformed frames are counted, logged and skipped. Accepted trades go through a bounded
/// channel to <see cref="RunAsync"/>, which runs in the feed grain and publishes everything queued as one round.
/// <para>
/// Proxies (<see cref="UseProxies"/>): with policy Always every connection goes through one, with Fallback the first
/// attempt of a reconnect goes direct and the retries through one; each proxied attempt takes the next proxy of the list.
/// New settings apply at once: the open connection is replaced.
/// </para>
/// </summary>
internal sealed partial class LiveFeed : IFeedSource
{
    private const int MaxTicksPerRound = 16_384;
    private const int LoggedMalformedPerConnection = 10;

    private readonly ExchangeProtocol protocol;
    private readonly FeedConnectionOptions settings;
    private readonly Func<IReadOnlyList<TickBatch>, CancellationToken, Task> publish;
    private readonly TimeProvider time;
    private readonly ILogger logger;
    private readonly HashSet<InstrumentKey> instruments;
    private readonly Dictionary<InstrumentKey, long> lastIds = [];
    private readonly HashSet<InstrumentKey> unlistedLogged = [];
    private readonly TradeRate rate = new();
    private readonly Channel<Tick[]> accepted = Channel.CreateBounded<Tick[]>(new BoundedChannelOptions(4096) { SingleReader = true, SingleWriter = true });
    private long ticksPublished;
    private long lastTickUtcTicks;
    private long lastMessageUtcTicks;
    private long connects;
    private long staleReconnects;
    private long malformedFrames;
    private long errorFrames;
    private long gaps;
    private long missedTrades;
    private long duplicateTrades;
    private long unlistedTrades;
    private volatile bool connected;
    private volatile string? lastDisconnect;
    private volatile FeedProxySettings proxies = FeedProxySettings.None;
    private volatile string? proxyInUse;
    private volatile CancellationTokenSource? current;
    private int attemptsThisCycle;
    private long rotation;

    /// <param name="protocol">The exchange's protocol and endpoint.</param>
    /// <param name="settings">Reconnection, staleness and frame limits.</param>
    /// <param name="publish">Publishes a round; the next goes once it completes.</param>
    /// <param name="time">The clock trades are stamped with on receipt.</param>
    /// <param name="logger">Where connection events go.</param>
    public LiveFeed(ExchangeProtocol protocol, FeedConnectionOptions settings, Func<IReadOnlyList<TickBatch>, CancellationToken, Task> publish, TimeProvider time, ILogger logger)
    {
        this.protocol = protocol;
        this.settings = settings;
        this.publish = publish;
        this.time = time;
        this.logger = logger;
        instruments = [.. protocol.Instruments];
    }

    /// <inheritdoc/>
    public string Source => "live";

    /// <inheritdoc/>
    public int InstrumentCount => instruments.Count;

    /// <inheritdoc/>
    public long TicksPublished => Interlocked.Read(ref ticksPublished);

    /// <inheritdoc/>
    public DateTimeOffset? LastTickAt => Interlocked.Read(ref lastTickUtcTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <inheritdoc/>
    public LiveConnectionStatus Connection()
    {
        var connections = Interlocked.Read(ref connects);
        return new LiveConnectionStatus(
            protocol.Endpoint.GetLeftPart(UriPartial.Path),
            connected,
            proxyInUse,
            Interlocked.Read(ref lastMessageUtcTicks) is var m and > 0 ? new DateTimeOffset(m, TimeSpan.Zero) : null,
            connections,
            Math.Max(0, connections - 1),
            Interlocked.Read(ref staleReconnects),
            Interlocked.Read(ref malformedFrames),
            Interlocked.Read(ref errorFrames),
            Interlocked.Read(ref gaps),
            Interlocked.Read(ref missedTrades),
            Interlocked.Read(ref duplicateTrades),
            Interlocked.Read(ref unlistedTrades),
            rate.PerSecond(time.GetUtcNow()),
            lastDisconnect);
    }

    /// <summary>Takes new proxy settings; when they differ from the ones in use, the open connection is replaced.</summary>
    public void UseProxies(FeedProxySettings settings)
    {
        var previous = proxies;
        if (previous.Version == settings.Version && previous.Policy == settings.Policy)
        {
            return;
        }

        proxies = settings;
        if (previous.Version != 0)
        {
            LogProxiesChanged(protocol.Exchange, settings.Policy, settings.Urls.Count);
            try
            {
                current?.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // That connection just ended; the next one takes the new settings.
            }
        }
    }

    /// <inheritdoc/>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var connecting = Task.Run(() => ConnectLoopAsync(cancellationToken), CancellationToken.None);
        try
        {
            await PublishLoopAsync(cancellationToken);
        }
        finally
        {
            await connecting;
        }
    }

    private async Task PublishLoopAsync(CancellationToken cancellationToken)
    {
        var byInstrument = new Dictionary<InstrumentKey, List<Tick>>();
        while (await accepted.Reader.WaitToReadAsync(cancellationToken))
        {
            foreach (var list in byInstrument.Values)
            {
                list.Clear();
            }

            var count = 0;
            var last = 0L;
            while (count < MaxTicksPerRound && accepted.Reader.TryRead(out var trades))
            {
                foreach (var trade in trades)
                {
                    if (!byInstrument.TryGetValue(trade.Instrument, out var list))
                    {
                        byInstrument[trade.Instrument] = list = [];
                    }

                    list.Add(trade);
                    last = Math.Max(last, trade.ExchangeTime.UtcTicks);
                }

                count += trades.Length;
            }

            var round = byInstrument.Where(p => p.Value.Count > 0).Select(p => new TickBatch(p.Key, p.Value.ToArray())).ToList();
            await publish(round, cancellationToken);
            Interlocked.Add(ref ticksPublished, count);
            Interlocked.Exchange(ref lastTickUtcTicks, last);
        }
    }

    private async Task ConnectLoopAsync(CancellationToken cancellationToken)
    {
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(_ => !cancellationToken.IsCancellationRequested),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = settings.ReconnectDelay,
                MaxDelay = settings.MaxReconnectDelay,
                MaxRetryAttempts = int.MaxValue,
                OnRetry = retry =>
                {
                    var reason = Reason(retry.Outcome.Exception);
                    lastDisconnect = reason;
                    LogRetrying(protocol.Exchange, retry.AttemptNumber + 1, reason, retry.RetryDelay);
                    return default;
                },
            })
            .Build();

        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                // A connection that ended after StableAfter returns, and the next one opens at once with a fresh back-off.
                attemptsThisCycle = 0;
                await pipeline.ExecuteAsync(token => new ValueTask(ConnectionAsync(token)), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopped.
        }
        finally
        {
            accepted.Writer.TryComplete();
        }
    }

    /// <summary>The proxy of the next attempt, or null for a direct one.</summary>
    private Uri? NextProxy()
    {
        var settings = proxies;
        var attempt = attemptsThisCycle++;
        if (settings.Urls.Count == 0 || settings.Policy == ProxyPolicy.Disabled || (settings.Policy == ProxyPolicy.Fallback && attempt == 0))
        {
            return null;
        }

        return new Uri(settings.Urls[(int)(rotation++ % settings.Urls.Count)]);
    }

    private async Task ConnectionAsync(CancellationToken cancellationToken)
    {
        var endpoint = protocol.Endpoint;
        var proxy = NextProxy();
        var route = proxy is null ? "direct" : "via proxy " + FeedProxySettings.Describe(proxy.ToString());
        FeedConnection connection;
        using (var opening = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            opening.CancelAfter(settings.ConnectTimeout);
            try
            {
                connection = await FeedConnection.OpenAsync(endpoint, proxy, settings.MaxFrameBytes, opening.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"Connecting to {endpoint.GetLeftPart(UriPartial.Path)} {route} took longer than {settings.ConnectTimeout}.");
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                throw new IOException($"Connecting to {endpoint.GetLeftPart(UriPartial.Path)} {route} failed: {error.Message}", error);
            }
        }

        await using (connection)
        {
            var opened = Interlocked.Increment(ref connects);
            var openedAt = TimeProvider.System.GetTimestamp();
            proxyInUse = proxy is null ? null : FeedProxySettings.Describe(proxy.ToString());
            connected = true;
            LogConnected(protocol.Exchange, endpoint.GetLeftPart(UriPartial.Path), route, opened, protocol.Instruments.Count);
            Ending ended;

            // The session ends the connection's reads: a change of proxies cancels it at once; a stop of the feed first
            // takes the subscriptions back and closes politely (cancelling a pending read would abort the socket).
            using (var session = new CancellationTokenSource())
            {
                current = session;
                var leaving = Task.CompletedTask;
                using var stopping = cancellationToken.UnsafeRegister(_ => leaving = LeaveAsync(connection, session), null);
                var pinging = protocol.Ping is { } ping ? PingAsync(connection, ping, session.Token) : Task.CompletedTask;
                try
                {
                    foreach (var request in protocol.Subscriptions())
                    {
                        await connection.SendAsync(request, cancellationToken);
                    }

                    ended = await ReceiveAsync(connection, openedAt, session.Token, cancellationToken);
                }
                catch (Exception error) when (error is WebSocketException or IOException or SocketException)
                {
                    ended = new Ending($"connection failed: {error.Message}");
                }
                finally
                {
                    connected = false;
                    current = null;
                    await session.CancelAsync();
                    await pinging;
                    await leaving;
                }
            }

            cancellationToken.ThrowIfCancellationRequested();

            lastDisconnect = ended.Reason;
            await connection.CloseAsync(ended.Reason.Length > 100 ? ended.Reason[..100] : ended.Reason);
            var lived = TimeProvider.System.GetElapsedTime(openedAt);
            LogDisconnected(protocol.Exchange, ended.Reason, lived);
            if (lived < settings.StableAfter && !ended.Replaced)
            {
                throw new IOException($"The connection to {endpoint.GetLeftPart(UriPartial.Path)} ended after {lived.TotalSeconds:0.0} s: {ended.Reason}.");
            }
        }
    }

    /// <summary>Reads frames until the connection ends, goes stale, or <paramref name="session"/> replaces it; says why it ended.</summary>
    private async Task<Ending> ReceiveAsync(FeedConnection connection, long openedAt, CancellationToken session, CancellationToken cancellationToken)
    {
        using var stale = CancellationTokenSource.CreateLinkedTokenSource(session);
        var trades = new List<Tick>();
        var fills = new List<int>();
        var malformedHere = 0;
        var maxAge = settings.MaxConnectionAge ?? protocol.MaxConnectionAge;
        while (true)
        {
            // Wake at the staleness limit or when the connection is due for replacement, whichever comes first.
            var left = maxAge == Timeout.InfiniteTimeSpan ? settings.StaleAfter : maxAge - TimeProvider.System.GetElapsedTime(openedAt);
            if (left <= TimeSpan.Zero)
            {
                return Ending.Aged(maxAge);
            }

            var ageBound = left < settings.StaleAfter;
            stale.CancelAfter(ageBound ? left : settings.StaleAfter);
            FrameKind kind;
            try
            {
                kind = await connection.ReceiveAsync(stale.Token);
            }
            catch (OperationCanceledException) when (session.IsCancellationRequested && cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException(cancellationToken);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                if (session.IsCancellationRequested)
                {
                    return new Ending("replaced: the proxy settings changed", Replaced: true);
                }

                if (ageBound)
                {
                    return Ending.Aged(maxAge);
                }

                Interlocked.Increment(ref staleReconnects);
                return new Ending($"stale: nothing received for {settings.StaleAfter.TotalSeconds:0.###} s");
            }

            if (kind == FrameKind.Closed)
            {
                return new Ending("closed by the exchange");
            }

            var now = time.GetUtcNow();
            Interlocked.Exchange(ref lastMessageUtcTicks, now.UtcTicks);
            var frame = kind switch
            {
                FrameKind.Binary => FeedFrame.Malformed($"a binary frame of {connection.Frame.Length} bytes"),
                FrameKind.Oversized => FeedFrame.Malformed($"a frame over {settings.MaxFrameBytes} bytes"),
                _ => Parse(connection.Frame.Span, now, trades, fills),
            };

            switch (frame.Kind)
            {
                case FeedFrameKind.Trades:
                    await AcceptAsync(trades, fills, cancellationToken);
                    break;
                case FeedFrameKind.Shutdown:
                    return new Ending("the exchange announced a shutdown of the connection");
                case FeedFrameKind.Error:
                    Interlocked.Increment(ref errorFrames);
                    LogRefused(protocol.Exchange, frame.Problem);
                    break;
                case FeedFrameKind.Malformed:
                    Interlocked.Increment(ref malformedFrames);
                    if (++malformedHere <= LoggedMalformedPerConnection || malformedHere % 1000 == 0)
                    {
                        LogMalformed(protocol.Exchange, malformedHere, frame.Problem);
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// The feed stops: sends the protocol's unsubscriptions and starts the close handshake, then gives the exchange a
    /// second to complete it before the session's reads are cancelled (at once when there is nothing to say).
    /// </summary>
    private async Task LeaveAsync(FeedConnection connection, CancellationTokenSource session)
    {
        var unsubscriptions = protocol.Unsubscriptions().ToList();
        if (unsubscriptions.Count == 0)
        {
            await CancelAsync(session, TimeSpan.Zero);
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            foreach (var request in unsubscriptions)
            {
                await connection.SendAsync(request, timeout.Token);
            }

            await connection.CloseAsync("the feed stops");
        }
        catch (Exception error) when (error is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            // Leaving anyway.
        }

        await CancelAsync(session, TimeSpan.FromSeconds(1));

        static async Task CancelAsync(CancellationTokenSource session, TimeSpan after)
        {
            try
            {
                if (after > TimeSpan.Zero)
                {
                    session.CancelAfter(after);
                }
                else
                {
                    await session.CancelAsync();
                }
            }
            catch (ObjectDisposedException)
            {
                // The connection ended meanwhile.
            }
        }
    }

    /// <summary>A failure in one line: its message, and the innermost cause's when that says more (the DNS or socket error).</summary>
    private static string Reason(Exception? error)
    {
        if (error is null)
        {
            return "unknown";
        }

        var inner = error;
        while (inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        return ReferenceEquals(inner, error) || error.Message.Contains(inner.Message, StringComparison.Ordinal)
            ? error.Message
            : $"{error.Message} ({inner.Message})";
    }

    private FeedFrame Parse(ReadOnlySpan<byte> frame, DateTimeOffset now, List<Tick> trades, List<int> fills)
    {
        trades.Clear();
        fills.Clear();
        return protocol.Parse(frame, now, trades, fills);
    }

    private async ValueTask AcceptAsync(List<Tick> trades, List<int> fills, CancellationToken cancellationToken)
    {
        // Exchanges list a message's trades newest first (Coinbase) or oldest first: the pairs take them in id order.
        var order = Enumerable.Range(0, trades.Count)
            .OrderBy(i => trades[i].Instrument.Value, StringComparer.Ordinal)
            .ThenBy(i => trades[i].TradeId);
        var taken = new List<Tick>(trades.Count);
        foreach (var i in order)
        {
            var trade = trades[i];
            if (!instruments.Contains(trade.Instrument))
            {
                Interlocked.Increment(ref unlistedTrades);
                if (unlistedLogged.Add(trade.Instrument))
                {
                    LogUnlisted(protocol.Exchange, trade.Instrument.Value);
                }

                continue;
            }

            if (lastIds.TryGetValue(trade.Instrument, out var last))
            {
                if (trade.TradeId <= last)
                {
                    Interlocked.Increment(ref duplicateTrades);
                    continue;
                }

                var first = trade.TradeId - (fills.Count == trades.Count ? fills[i] : 1) + 1;
                if (protocol.ConsecutiveTradeIds && first > last + 1)
                {
                    Interlocked.Increment(ref gaps);
                    Interlocked.Add(ref missedTrades, first - last - 1);
                    LogGap(protocol.Exchange, trade.Instrument.Value, first - last - 1, last, first);
                }
            }

            lastIds[trade.Instrument] = trade.TradeId;
            taken.Add(trade);
        }

        if (taken.Count > 0)
        {
            rate.Add(time.GetUtcNow(), taken.Count);
            await accepted.Writer.WriteAsync([.. taken], cancellationToken);
        }
    }

    private async Task PingAsync(FeedConnection connection, string ping, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(settings.PingInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await connection.SendAsync(ping, cancellationToken);
            }
        }
        catch (Exception error) when (error is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            // The connection ended; the receive loop reports why.
        }
    }

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Feed {Exchange} connected to {Endpoint} {Route} (connection {Connection}, {Instruments} instruments)")]
    private partial void LogConnected(string exchange, string endpoint, string route, long connection, int instruments);

    [LoggerMessage(EventId = 3208, Level = LogLevel.Information, Message = "Feed {Exchange}: proxies changed (policy {Policy}, {Count} proxies); reconnecting")]
    private partial void LogProxiesChanged(string exchange, ProxyPolicy policy, int count);

    [LoggerMessage(EventId = 3202, Level = LogLevel.Warning, Message = "Feed {Exchange} disconnected: {Reason} (connected for {Lived})")]
    private partial void LogDisconnected(string exchange, string reason, TimeSpan lived);

    [LoggerMessage(EventId = 3203, Level = LogLevel.Warning, Message = "Feed {Exchange}: connection attempt {Attempt} failed: {Reason}; next attempt in {Delay}")]
    private partial void LogRetrying(string exchange, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 3204, Level = LogLevel.Warning, Message = "Feed {Exchange}: malformed frame #{Count} of this connection skipped: {Problem}")]
    private partial void LogMalformed(string exchange, int count, string? problem);

    [LoggerMessage(EventId = 3205, Level = LogLevel.Error, Message = "Feed {Exchange}: the exchange refused a request: {Problem}")]
    private partial void LogRefused(string exchange, string? problem);

    [LoggerMessage(EventId = 3206, Level = LogLevel.Warning, Message = "Feed {Exchange}: {Missed} trades of {Instrument} missed (ids {Last} then {First})")]
    private partial void LogGap(string exchange, string instrument, long missed, long last, long first);

    [LoggerMessage(EventId = 3207, Level = LogLevel.Warning, Message = "Feed {Exchange}: trades of {Instrument}, which is not configured, are dropped")]
    private partial void LogUnlisted(string exchange, string instrument);

    /// <summary>Why a connection ended; a replacement the feed chose (proxies changed, the age limit) reconnects at once.</summary>
    private readonly record struct Ending(string Reason, bool Replaced = false)
    {
        public static Ending Aged(TimeSpan age) => new($"replaced after {age}, before the exchange cuts it", Replaced: true);
    }

    /// <summary>Trades accepted in each of the last ten whole seconds.</summary>
    private sealed class TradeRate
    {
        private readonly long[] counts = new long[11];
        private readonly long[] seconds = new long[11];

        public void Add(DateTimeOffset now, int trades)
        {
            var second = now.ToUnixTimeSeconds();
            lock (counts)
            {
                var slot = (int)(second % counts.Length);
                if (seconds[slot] != second)
                {
                    seconds[slot] = second;
                    counts[slot] = 0;
                }

                counts[slot] += trades;
            }
        }

        public double PerSecond(DateTimeOffset now)
        {
            var second = now.ToUnixTimeSeconds();
            long total = 0;
            lock (counts)
            {
                for (var slot = 0; slot < counts.Length; slot++)
                {
                    if (seconds[slot] < second && seconds[slot] >= second - 10)
                    {
                        total += counts[slot];
                    }
                }
            }

            return total / 10.0;
        }
    }
}
