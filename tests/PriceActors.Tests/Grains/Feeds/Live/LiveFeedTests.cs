using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using PriceActors.Grains;
using PriceActors.Grains.Feeds;
using PriceActors.Grains.Feeds.Live;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Grains.Feeds.Live;

/// <summary>
/// Each live protocol against a fake exchange on loopback that speaks its wire format: every trade sent while connected
/// arrives exactly once and in order, through garbage frames, a dropped connection and the snapshot that follows a
/// resubscription; gaps, duplicates, malformed frames, staleness, refused connections and pings are counted as they happen.
/// </summary>
public sealed partial class LiveFeedTests
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(20);

    public static TheoryData<string> Formats => [.. FakeFormat.Names];

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task EveryTradeSentWhileConnected_ArrivesOnce_ThroughGarbage_DropsAndSnapshots(string name)
    {
        var format = FakeFormat.Of(name);
        await using var server = await FakeExchange.StartAsync(format);
        var tape = new LiveTape(format);
        await using var run = Run.Start(format, server.Url);

        await server.WaitForSubscriptionAsync(1);
        var expected = new List<FakeTrade>();
        expected.AddRange(await tape.SendAsync(server, 10));
        var garbage = await SendGarbageAsync(server, format);
        expected.AddRange(await tape.SendAsync(server, 10));
        await run.WaitForTicksAsync(expected.Count);

        // Cut the connection; trades happen meanwhile. Exchanges with a snapshot send recent trades on resubscription:
        // two already delivered per instrument and the missed ones, which fill the gap.
        server.Drop();
        var missed = tape.Next(6);
        var snapshot = tape.Sent.TakeLast(4).Concat(missed).ToList();
        server.AfterSubscribe = n => n == 2 && format.Snapshots ? format.Frames(snapshot, snapshot: true) : [];
        await server.WaitForSubscriptionAsync(2);
        if (format.Snapshots)
        {
            expected.AddRange(missed);
        }

        expected.AddRange(await tape.SendAsync(server, 10, aggregated: format.Exchange == "okx"));
        await run.WaitForTicksAsync(expected.Count);

        AssertSameTrades(expected, run.Ticks);
        var status = run.Feed.Connection();
        Assert.Equal(2, status.Connects);
        Assert.Equal(1, status.Reconnects);
        Assert.Equal(garbage, status.MalformedFrames);
        Assert.Equal(0, status.ErrorFrames);
        Assert.Equal(format.Snapshots ? 4 : 0, status.DuplicateTrades);
        var gapsExpected = format.ConsecutiveIds && !format.Snapshots;
        Assert.Equal(gapsExpected ? 2 : 0, status.Gaps);
        Assert.Equal(gapsExpected ? 6 : 0, status.MissedTrades);
        Assert.True(status.Connected);
        Assert.Equal(expected.Count, run.Feed.TicksPublished);
    }

    [Fact]
    public async Task RefusedConnections_AreRetriedWithBackOff_UntilOneIsAccepted()
    {
        var format = FakeFormat.Of("kraken");
        await using var server = await FakeExchange.StartAsync(format);
        server.RefuseNext = 3;
        await using var run = Run.Start(format, server.Url);

        await server.WaitForSubscriptionAsync(1);

        Assert.Equal(4, server.Attempts);
        Assert.Equal(1, run.Feed.Connection().Connects);
        Assert.Equal(3, run.Logs.CountOf(3203));
    }

    [Fact]
    public async Task ServerPings_AreAnswered_SoTheServerKeepsTheConnection()
    {
        var format = FakeFormat.Of("binance");
        await using var server = await FakeExchange.StartAsync(format, pingEvery: TimeSpan.FromMilliseconds(100));
        await using var run = Run.Start(format, server.Url);
        await server.WaitForSubscriptionAsync(1);

        // The server pings every 100 ms and drops a client that leaves a ping unanswered for 300 ms.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var sent = await new LiveTape(format).SendAsync(server, 2);
        await run.WaitForTicksAsync(2);

        Assert.Equal(1, server.Connections);
        Assert.Equal(1, run.Feed.Connection().Connects);
        AssertSameTrades(sent, run.Ticks);
    }

    [Fact]
    public async Task AConnectionPastItsMaximumAge_IsReplaced_EvenWhenQuiet()
    {
        var format = FakeFormat.Of("binance");
        await using var server = await FakeExchange.StartAsync(format);
        await using var run = Run.Start(format, server.Url, maxConnectionAge: TimeSpan.FromMilliseconds(300));

        await server.WaitForSubscriptionAsync(3);

        var status = run.Feed.Connection();
        Assert.StartsWith("replaced after", status.LastDisconnect, StringComparison.Ordinal);
        Assert.Equal(0, status.StaleReconnects);
        Assert.Equal(0, run.Logs.CountOf(3203));
    }

    [Theory]
    [InlineData("binance")]
    [InlineData("kraken")]
    [InlineData("coinbase")]
    [InlineData("coinbase-matches")]
    [InlineData("bybit")]
    [InlineData("okx")]
    public async Task AStoppingFeed_TakesItsSubscriptionsBack(string name)
    {
        var format = FakeFormat.Of(name);
        await using var server = await FakeExchange.StartAsync(format);
        var run = Run.Start(format, server.Url);
        await server.WaitForSubscriptionAsync(1);

        await run.DisposeAsync();

        await Eventually.HoldsAsync(
            () => server.Requests.Any(r => r.Contains("unsubscribe", StringComparison.OrdinalIgnoreCase)),
            Within,
            $"an unsubscribe request among {string.Join(" | ", server.Requests)}");
        Assert.Equal(1, server.Connections);
    }

    [Fact]
    public async Task ASilentConnection_IsStale_AndReplaced()
    {
        var format = FakeFormat.Of("binance");
        await using var server = await FakeExchange.StartAsync(format);
        await using var run = Run.Start(format, server.Url, staleAfter: TimeSpan.FromMilliseconds(300));

        await server.WaitForSubscriptionAsync(2);

        var status = run.Feed.Connection();
        Assert.True(status.StaleReconnects >= 1, $"stale reconnects {status.StaleReconnects}");
        Assert.StartsWith("stale", status.LastDisconnect, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bybit")]
    [InlineData("okx")]
    public async Task ClientPings_GoOut_AndPongsAreNotMalformed(string name)
    {
        var format = FakeFormat.Of(name);
        await using var server = await FakeExchange.StartAsync(format);
        await using var run = Run.Start(format, server.Url, pingInterval: TimeSpan.FromMilliseconds(100));

        await Eventually.HoldsAsync(() => server.Requests.Count(r => r == format.Ping) >= 3, Within, "three pings");

        Assert.Equal(0, run.Feed.Connection().MalformedFrames);
        Assert.Equal(1, run.Feed.Connection().Connects);
    }

    [Fact]
    public async Task AnnouncedShutdown_Reconnects_AndARefusedSubscriptionIsCounted()
    {
        var format = FakeFormat.Of("binance");
        await using var server = await FakeExchange.StartAsync(format);
        await using var run = Run.Start(format, server.Url);
        await server.WaitForSubscriptionAsync(1);

        await server.SendAsync("""{"error":{"code":2,"msg":"Invalid request: unknown stream"},"id":7}""");
        await server.SendAsync("""{"e":"serverShutdown","E":1765116000000}""");
        await server.WaitForSubscriptionAsync(2);

        var status = run.Feed.Connection();
        Assert.Equal(1, status.ErrorFrames);
        Assert.Equal(0, status.MalformedFrames);
        Assert.Contains("shutdown", status.LastDisconnect, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(run.Logs.Entries, e => e.EventId == 3205 && e.Message.Contains("Invalid request", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TradesOfInstrumentsNotConfigured_AreCountedAndDropped()
    {
        var format = FakeFormat.Of("okx");
        await using var server = await FakeExchange.StartAsync(format);
        await using var run = Run.Start(format, server.Url);
        await server.WaitForSubscriptionAsync(1);

        var stranger = new FakeTrade("XRP-USDT", InstrumentKey.Create("okx", "XRPUSDT"), 5, "2.1", "10", DateTimeOffset.UtcNow);
        foreach (var frame in format.Frames([stranger]))
        {
            await server.SendAsync(frame);
        }

        var sent = await new LiveTape(format).SendAsync(server, 2);
        await run.WaitForTicksAsync(2);

        Assert.Equal(1, run.Feed.Connection().UnlistedTrades);
        AssertSameTrades(sent, run.Ticks);
    }

    private static async Task<int> SendGarbageAsync(FakeExchange server, FakeFormat format)
    {
        string[] texts = ["this is not JSON", """{"truncated": [1, 2""", format.UnknownEvent];
        foreach (var text in texts)
        {
            await server.SendAsync(text);
        }

        if (format.OverTcp)
        {
            // An empty line is no frame in NDJSON; a binary frame cannot happen.
            await server.SendAsync("");
            return texts.Length;
        }

        await server.SendAsync("");
        await server.SendBinaryAsync([0x1f, 0x8b, 0x08]);
        return texts.Length + 2;
    }

    private static void AssertSameTrades(IReadOnlyList<FakeTrade> expected, IReadOnlyList<Tick> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (key, trades) in expected.GroupBy(t => t.Key).Select(g => (g.Key, g.OrderBy(t => t.Id).ToList())))
        {
            var ticks = actual.Where(t => t.Instrument == key).ToList();
            Assert.Equal(trades.Select(t => t.Id), ticks.Select(t => t.TradeId));
            for (var i = 0; i < trades.Count; i++)
            {
                Assert.Equal(trades[i].Price, ticks[i].Price.ToString(CultureInfo.InvariantCulture));
                Assert.Equal(trades[i].Quantity, ticks[i].Quantity.ToString(CultureInfo.InvariantCulture));
                Assert.Equal(trades[i].Time, ticks[i].ExchangeTime);
            }
        }
    }

    /// <summary>A live feed of one fake exchange, publishing into a list.</summary>
    private sealed class Run : IAsyncDisposable
    {
        private readonly ConcurrentQueue<Tick> ticks = new();
        private readonly CancellationTokenSource stopping = new();
        private readonly ILoggerFactory loggers;
        private Task running = Task.CompletedTask;

        private Run(LiveFeed feed, LogRecorder logs, ILoggerFactory loggers)
        {
            Feed = feed;
            Logs = logs;
            this.loggers = loggers;
        }

        public LiveFeed Feed { get; private set; }

        public LogRecorder Logs { get; }

        public IReadOnlyList<Tick> Ticks => [.. ticks];

        public static Run Start(
            FakeFormat format, Uri url, TimeSpan? staleAfter = null, TimeSpan? pingInterval = null, FeedProxySettings? proxies = null, TimeSpan? maxConnectionAge = null)
        {
            var options = new LiveFeedsOptions { Mode = FeedMode.Live };
            foreach (var exchange in new[] { options.Binance, options.Kraken, options.Coinbase, options.Bybit, options.Okx })
            {
                exchange.Enabled = false;
            }

            if (format.OverTcp)
            {
                options.Ndjson.Endpoints.Add(new NdjsonEndpointOptions { Address = url.Authority, Exchange = format.Exchange, Symbols = [.. format.Natives] });
            }
            else
            {
                var exchange = format.Exchange switch
                {
                    "binance" => options.Binance,
                    "kraken" => options.Kraken,
                    "coinbase" => options.Coinbase,
                    "bybit" => options.Bybit,
                    _ => options.Okx,
                };
                exchange.Enabled = true;
                exchange.Url = url;
                exchange.Symbols = [.. format.Natives];
                options.Coinbase.Channel = format is { Exchange: "coinbase", Snapshots: false } ? CoinbaseChannel.Matches : CoinbaseChannel.MarketTrades;
            }

            options.Connection.ReconnectDelay = TimeSpan.FromMilliseconds(20);
            options.Connection.MaxReconnectDelay = TimeSpan.FromMilliseconds(200);
            options.Connection.StaleAfter = staleAfter ?? TimeSpan.FromSeconds(30);
            options.Connection.PingInterval = pingInterval ?? TimeSpan.FromSeconds(20);
            options.Connection.StableAfter = TimeSpan.Zero;
            options.Connection.MaxConnectionAge = maxConnectionAge;

            var logs = new LogRecorder();
            var loggers = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
            var protocol = ExchangeProtocol.For(options.Sources().Single(), options);
            Run run = null!;
            var feed = new LiveFeed(protocol, options.Connection, (round, _) => run.TakeAsync(round), TimeProvider.System, loggers.CreateLogger<LiveFeed>());
            feed.UseProxies(proxies ?? FeedProxySettings.None);
            run = new Run(feed, logs, loggers);
            run.running = feed.RunAsync(run.stopping.Token);
            return run;
        }

        /// <summary>Waits for <paramref name="count"/> ticks; a timeout says how many came and the connection's state then.</summary>
        public async Task WaitForTicksAsync(int count)
        {
            try
            {
                await Eventually.HoldsAsync(() => ticks.Count >= count, Within, $"{count} ticks");
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"Not within {Within}: {count} ticks (have {ticks.Count}; {Feed.Connection()})");
            }
        }

        public async ValueTask DisposeAsync()
        {
            await stopping.CancelAsync();
            try
            {
                await running;
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }

            loggers.Dispose();
            stopping.Dispose();
        }

        private Task TakeAsync(IReadOnlyList<TickBatch> round)
        {
            foreach (var batch in round)
            {
                Assert.All(batch.Ticks.ToArray(), t => Assert.Equal(batch.Instrument, t.Instrument));
                foreach (var tick in batch.Ticks.Span)
                {
                    ticks.Enqueue(tick);
                }
            }

            return Task.CompletedTask;
        }
    }
}
