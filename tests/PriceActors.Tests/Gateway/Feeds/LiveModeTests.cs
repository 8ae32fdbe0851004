using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using PriceActors.Gateway;
using PriceActors.Tests.Grains.Feeds.Live;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Feeds;

/// <summary>
/// The embedded system in live mode against fake Binance and Kraken servers on loopback: the trades they send, through
/// garbage and a dropped connection, become the pairs' minute bars exactly, and <c>/health</c> shows each feed's
/// connection.
/// </summary>
public sealed class LiveModeTests
{
    [Fact]
    public async Task LiveTrades_OfEveryExchange_BecomeTheMinuteBars_AndHealthShowsTheConnections()
    {
        var binanceFormat = FakeFormat.Of("binance");
        var krakenFormat = FakeFormat.Of("kraken");
        await using var binance = await FakeExchange.StartAsync(binanceFormat);
        await using var kraken = await FakeExchange.StartAsync(krakenFormat);
        FakeFormat[] othersFormats = [FakeFormat.Of("coinbase"), FakeFormat.Of("bybit"), FakeFormat.Of("okx"), FakeFormat.Of("ndjson")];
        var others = new List<FakeExchange>();
        try
        {
            foreach (var format in othersFormats)
            {
                others.Add(await FakeExchange.StartAsync(format));
            }

            await RunAsync(binanceFormat, binance, krakenFormat, kraken, othersFormats, others);
        }
        finally
        {
            foreach (var other in others)
            {
                await other.DisposeAsync();
            }
        }
    }

    private static async Task RunAsync(
        FakeFormat binanceFormat, FakeExchange binance, FakeFormat krakenFormat, FakeExchange kraken, FakeFormat[] othersFormats, List<FakeExchange> others)
    {
        var (coinbase, bybit, okx, ndjson) = (others[0], others[1], others[2], others[3]);
        await using var gateway = await StartAsync(
            "--Feeds:Mode=Live",
            $"--Feeds:Binance:Url={binance.Url}", "--Feeds:Binance:Symbols:0=BTCUSDT", "--Feeds:Binance:Symbols:1=ETHUSDT",
            $"--Feeds:Kraken:Url={kraken.Url}", "--Feeds:Kraken:Symbols:0=BTC/USD", "--Feeds:Kraken:Symbols:1=ETH-USD",
            $"--Feeds:Coinbase:Url={coinbase.Url}", "--Feeds:Coinbase:Symbols:0=BTC-USD", "--Feeds:Coinbase:Symbols:1=ETH-USD",
            $"--Feeds:Bybit:Url={bybit.Url}", "--Feeds:Bybit:Symbols:0=BTCUSDT", "--Feeds:Bybit:Symbols:1=ETHUSDT",
            $"--Feeds:Okx:Url={okx.Url}", "--Feeds:Okx:Symbols:0=BTC-USDT", "--Feeds:Okx:Symbols:1=ETH/USDT",
            $"--Feeds:Ndjson:Endpoints:0:Address={ndjson.Url.Authority}", "--Feeds:Ndjson:Endpoints:0:Exchange=local1",
            "--Feeds:Ndjson:Endpoints:0:Symbols:0=BTC-USD", "--Feeds:Ndjson:Endpoints:0:Symbols:1=ETH-USD",
            "--Feeds:Connection:ReconnectDelay=00:00:00.050");
        await Task.WhenAll(new[] { binance, kraken }.Concat(others).Select(e => e.WaitForSubscriptionAsync(1)));

        var instruments = await gateway.Http.GetFromJsonAsync<List<JsonElement>>("/instruments");
        Assert.Equal(
            [
                "binance:BTCUSDT", "binance:ETHUSDT", "bybit:BTCUSDT", "bybit:ETHUSDT", "coinbase:BTCUSD", "coinbase:ETHUSD",
                "kraken:BTCUSD", "kraken:ETHUSD", "local1:BTCUSD", "local1:ETHUSD", "okx:BTCUSDT", "okx:ETHUSDT",
            ],
            instruments!.Select(i => $"{i.GetProperty("exchange").GetString()}:{i.GetProperty("symbol").GetString()}").Order(StringComparer.Ordinal));

        var sent = new List<FakeTrade>();
        var binanceTape = new LiveTape(binanceFormat);
        var krakenTape = new LiveTape(krakenFormat);
        var otherTapes = othersFormats.Select(f => new LiveTape(f)).ToArray();
        sent.AddRange(await binanceTape.SendAsync(binance, 20));
        sent.AddRange(await krakenTape.SendAsync(kraken, 20));
        for (var i = 0; i < others.Count; i++)
        {
            sent.AddRange(await otherTapes[i].SendAsync(others[i], 20, aggregated: othersFormats[i].Exchange == "okx"));
        }

        await binance.SendAsync("{\"stream\":");
        await kraken.SendAsync("garbage");

        // What a connection carried when it is cut is lost (a reset discards unread bytes): cut only once all arrived.
        await Eventually.HoldsAsync(
            async () => await FeedAsync(gateway, "kraken") is var feed
                && feed.GetProperty("ticksPublished").GetInt64() == 20 && feed.GetProperty("connection").GetProperty("malformedFrames").GetInt64() == 1,
            TimeSpan.FromSeconds(30),
            "Kraken's first trades and garbage frame");

        // Kraken drops; on resubscription its snapshot repeats delivered trades and adds those made meanwhile.
        kraken.Drop();
        var missed = krakenTape.Next(4);
        var snapshot = krakenTape.Sent.TakeLast(4).Concat(missed).ToList();
        kraken.AfterSubscribe = n => n == 2 ? krakenFormat.Frames(snapshot, snapshot: true) : [];
        await kraken.WaitForSubscriptionAsync(2);
        sent.AddRange(missed);
        sent.AddRange(await binanceTape.SendAsync(binance, 20));
        sent.AddRange(await krakenTape.SendAsync(kraken, 20));
        for (var i = 0; i < others.Count; i++)
        {
            sent.AddRange(await otherTapes[i].SendAsync(others[i], 20));
        }

        foreach (var instrument in sent.GroupBy(t => t.Key))
        {
            var trades = instrument.OrderBy(t => t.Id).ToList();
            await Eventually.HoldsAsync(
                async () =>
                {
                    // 404 until the instrument's first trade arrives.
                    using var latest = await gateway.Http.GetAsync($"/prices/latest/{instrument.Key.Exchange}/{instrument.Key.Symbol}");
                    return latest.IsSuccessStatusCode && (await latest.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sequence").GetInt64() >= trades.Count;
                },
                TimeSpan.FromSeconds(30),
                $"{trades.Count} trades of {instrument.Key.Value}");

            var bars = await gateway.Http.GetFromJsonAsync<JsonElement>($"/prices/bars/{instrument.Key.Exchange}/{instrument.Key.Symbol}");
            var actual = bars.GetProperty("closed").EnumerateArray().Append(bars.GetProperty("open")).Where(b => b.ValueKind == JsonValueKind.Object)
                .Select(b => (
                    Minute: b.GetProperty("minute").GetDateTimeOffset(),
                    Open: b.GetProperty("open").GetDecimal(),
                    High: b.GetProperty("high").GetDecimal(),
                    Low: b.GetProperty("low").GetDecimal(),
                    Close: b.GetProperty("close").GetDecimal(),
                    Count: b.GetProperty("count").GetInt64(),
                    Volume: b.GetProperty("volume").GetDecimal()))
                .ToList();
            var expected = ReferenceCandles.Of(trades, TimeSpan.FromMinutes(1)).Select(c => (c.OpenTime, c.Open, c.High, c.Low, c.Close, c.Count, c.Volume));
            Assert.Equal(expected, actual);
        }

        var feeds = await FeedsAsync(gateway);
        Assert.Equal("healthy", feeds.GetProperty("status").GetString());
        var krakenStatus = feeds.GetProperty("data").GetProperty("kraken");
        Assert.Equal("live", krakenStatus.GetProperty("mode").GetString());
        var connection = krakenStatus.GetProperty("connection");
        Assert.True(connection.GetProperty("connected").GetBoolean());
        Assert.Equal(1, connection.GetProperty("reconnects").GetInt64());
        Assert.Equal(1, connection.GetProperty("malformedFrames").GetInt64());
        Assert.Equal(4, connection.GetProperty("duplicateTrades").GetInt64());
        Assert.Equal(0, connection.GetProperty("gaps").GetInt64());
        Assert.Equal(1, feeds.GetProperty("data").GetProperty("binance").GetProperty("connection").GetProperty("malformedFrames").GetInt64());

        var listed = await gateway.Http.GetFromJsonAsync<JsonElement>("/feeds");
        Assert.Equal("live", listed.GetProperty("mode").GetString());
        Assert.Equal(
            [("binance", true), ("kraken", true), ("coinbase", true), ("bybit", true), ("okx", true), ("local1", true)],
            listed.GetProperty("feeds").EnumerateArray().Select(f => (f.GetProperty("exchange").GetString(), f.GetProperty("connection").GetProperty("connected").GetBoolean())));
        Assert.All(listed.GetProperty("feeds").EnumerateArray(), f => Assert.Equal(0, f.GetProperty("connection").GetProperty("gaps").GetInt64()));
    }

    [Fact]
    public async Task AnUnreachableExchange_LeavesTheSystemUp_AndHealthSaysWhichFeedIsNotConnected()
    {
        var krakenFormat = FakeFormat.Of("kraken");
        await using var kraken = await FakeExchange.StartAsync(krakenFormat);
        await using var gateway = await StartAsync(
            "--Feeds:Mode=Live",
            $"--Feeds:Binance:Url=ws://127.0.0.1:{FreePort.Next()}",
            $"--Feeds:Kraken:Url={kraken.Url}",
            "--Feeds:Coinbase:Enabled=false", "--Feeds:Bybit:Enabled=false", "--Feeds:Okx:Enabled=false",
            "--Feeds:Connection:ReconnectDelay=00:00:00.050", "--Feeds:Connection:MaxReconnectDelay=00:00:00.200");
        await kraken.WaitForSubscriptionAsync(1);
        var sent = await new LiveTape(krakenFormat).SendAsync(kraken, 4);

        await Eventually.HoldsAsync(
            async () => (await FeedAsync(gateway, "binance")).GetProperty("connection").GetProperty("lastDisconnect").ValueKind == JsonValueKind.String
                && (await FeedsAsync(gateway)).GetProperty("status").GetString() == "degraded"
                && (await FeedAsync(gateway, "kraken")).GetProperty("ticksPublished").GetInt64() == sent.Count,
            TimeSpan.FromSeconds(30),
            "binance reported not connected while kraken delivers");

        var feeds = await FeedsAsync(gateway);
        Assert.Contains("Not connected: binance", feeds.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.False(feeds.GetProperty("data").GetProperty("binance").GetProperty("connection").GetProperty("connected").GetBoolean());
        using var latest = await gateway.Http.GetAsync("/prices/latest/kraken/BTCUSD");
        Assert.True(latest.IsSuccessStatusCode);
    }

    internal static async Task<JsonElement> FeedsAsync(RunningGateway gateway)
    {
        using var health = await gateway.Http.GetAsync("/health");
        return (await health.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("checks").GetProperty("feeds");
    }

    internal static async Task<JsonElement> FeedAsync(RunningGateway gateway, string exchange) =>
        (await FeedsAsync(gateway)).GetProperty("data").GetProperty(exchange);

    internal static async Task<RunningGateway> StartAsync(params string[] settings)
    {
        var app = PriceGateway.Build(
        [
            "--urls", "http://127.0.0.1:0",
            "--environment", "Production",
            "--Logging:LogLevel:Default=Warning",
            $"--Orleans:SiloPort={FreePort.Next()}",
            .. settings,
        ]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new RunningGateway(app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) });
    }

    internal sealed record RunningGateway(WebApplication App, HttpClient Http) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }
}
