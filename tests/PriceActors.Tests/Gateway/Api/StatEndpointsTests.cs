using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PriceActors.Grains;
using PriceActors.Tests.Gateway.Feeds;
using PriceActors.Tests.Grains.Feeds.Live;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Api;

/// <summary>
/// The marketflow statistics (<c>/prices/{highest|lowest|average}/…</c>) and the candles against trades we know: the embedded system in live
/// mode fed by fake Binance and OKX servers with trades spread over the last ten minutes.
/// </summary>
public sealed class StatEndpointsTests
{
    [Fact]
    public async Task StatisticsAndCandles_OverTheWindowFromTrades_AndBeyondItFromMinuteBars()
    {
        var binanceFormat = FakeFormat.Of("binance");
        var okxFormat = FakeFormat.Of("okx");
        await using var binance = await FakeExchange.StartAsync(binanceFormat);
        await using var okx = await FakeExchange.StartAsync(okxFormat);
        var bybitFormat = FakeFormat.Of("bybit");
        await using var bybit = await FakeExchange.StartAsync(bybitFormat);
        await using var gateway = await LiveModeTests.StartAsync(
            "--Feeds:Mode=Live",
            $"--Feeds:Binance:Url={binance.Url}", "--Feeds:Binance:Symbols:0=BTCUSDT", "--Feeds:Binance:Symbols:1=ETHUSDT",
            $"--Feeds:Okx:Url={okx.Url}", "--Feeds:Okx:Symbols:0=BTC-USDT",
            $"--Feeds:Bybit:Url={bybit.Url}", "--Feeds:Bybit:Symbols:0=BTCUSDT",
            "--Feeds:Kraken:Enabled=false", "--Feeds:Coinbase:Enabled=false",
            "--Pairs:WindowLength=00:05:00",
            "--Api:Consolidated:MaxDeviationPercent=50");
        await Task.WhenAll(binance.WaitForSubscriptionAsync(1), okx.WaitForSubscriptionAsync(1), bybit.WaitForSubscriptionAsync(1));
        var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        FakeTrade Btc(FakeFormat format, string native, long id, string price, TimeSpan ago) =>
            new(native, format.KeyOf(native), id, price, "0.5", now - ago);

        // Binance: 100 ten minutes ago, 300 at seven, 200 and 150 in the last minute; OKX: 50 at eight minutes, 250 at 20 s.
        FakeTrade[] binanceTrades =
        [
            Btc(binanceFormat, "BTCUSDT", 1, "100.0", TimeSpan.FromMinutes(10)),
            Btc(binanceFormat, "BTCUSDT", 2, "300.0", TimeSpan.FromMinutes(7)),
            Btc(binanceFormat, "BTCUSDT", 3, "200.0", TimeSpan.FromSeconds(30)),
            Btc(binanceFormat, "BTCUSDT", 4, "150.0", TimeSpan.FromSeconds(10)),
        ];
        FakeTrade[] okxTrades = [Btc(okxFormat, "BTC-USDT", 11, "50.0", TimeSpan.FromMinutes(8)), Btc(okxFormat, "BTC-USDT", 12, "250.0", TimeSpan.FromSeconds(20))];
        foreach (var frame in binanceFormat.Frames(binanceTrades))
        {
            await binance.SendAsync(frame);
        }

        foreach (var trade in okxTrades)
        {
            foreach (var frame in okxFormat.Frames([trade]))
            {
                await okx.SendAsync(frame);
            }
        }

        await Eventually.HoldsAsync(
            async () => await SequenceAsync(gateway.Http, "binance/BTCUSDT") == 4 && await SequenceAsync(gateway.Http, "okx/BTCUSDT") == 2,
            TimeSpan.FromSeconds(30),
            "every trade in its pair");

        var recentBinance = await StatAsync(gateway.Http, "/prices/highest/binance/BTCUSDT?period=1m");
        Assert.Equal((200.0m, 2L, "trades"), (recentBinance.Value, recentBinance.Count, recentBinance.Source));
        Assert.Equal(["binance"], recentBinance.Exchanges);

        var recent = await StatAsync(gateway.Http, "/prices/highest/BTCUSDT?period=1m");
        Assert.Equal((250.0m, 3L), (recent.Value, recent.Count));
        Assert.Equal(["binance", "okx"], recent.Exchanges.Order(StringComparer.Ordinal));
        Assert.Equal(150.0m, (await StatAsync(gateway.Http, "/prices/lowest/BTCUSDT?period=60s")).Value);

        // The window is 5 minutes: an hour comes from the minute bars, the ten-minute-old trades included.
        var hour = await StatAsync(gateway.Http, "/prices/lowest/BTCUSDT?period=1h");
        Assert.Equal((50.0m, 6L, "minuteBars"), (hour.Value, hour.Count, hour.Source));
        Assert.True(hour.From <= now - TimeSpan.FromMinutes(10) && hour.From.Second == 0, $"covered from {hour.From:O}");
        Assert.Equal(175m, (await StatAsync(gateway.Http, "/prices/average/BTCUSDT?period=PT1H")).Value);
        Assert.Equal(300.0m, (await StatAsync(gateway.Http, "/prices/highest/BTCUSDT?period=1d")).Value);
        Assert.Equal((187.5m, 4L), ((await StatAsync(gateway.Http, "/prices/average/binance/BTCUSDT?period=30m")).Value, (await StatAsync(gateway.Http, "/prices/average/binance/BTCUSDT?period=30m")).Count));

        // The default period is the window: five minutes reach back to none of the old trades.
        var window = await StatAsync(gateway.Http, "/prices/average/BTCUSDT");
        Assert.Equal(("window", 3L, 200m), (window.Period, window.Count, window.Value));

        var rows = await gateway.Http.GetFromJsonAsync<JsonElement[]>("/instruments");
        var row = rows!.Single(r => r.GetProperty("exchange").GetString() == "binance" && r.GetProperty("symbol").GetString() == "BTCUSDT");
        Assert.Equal((150.0m, 200.0m, -50.0m, -25m), (row.GetProperty("price").GetDecimal(), row.GetProperty("windowOpen").GetDecimal(), row.GetProperty("change").GetDecimal(), row.GetProperty("changePercent").GetDecimal()));
        Assert.Equal(JsonValueKind.Null, rows!.Single(r => r.GetProperty("symbol").GetString() == "ETHUSDT").GetProperty("change").ValueKind);

        var history = await gateway.Http.GetFromJsonAsync<JsonElement>($"/prices/history/binance/BTCUSDT?since={(now - TimeSpan.FromMinutes(30)).ToUnixTimeMilliseconds()}&limit=3");
        Assert.Equal([1L, 2L, 3L], history.GetProperty("trades").EnumerateArray().Select(t => t.GetProperty("tradeId").GetInt64()));
        Assert.Equal([1L, 2L, 3L], history.GetProperty("trades").EnumerateArray().Select(t => t.GetProperty("sequence").GetInt64()));
        Assert.Equal([100.0m, 300.0m, 200.0m], history.GetProperty("trades").EnumerateArray().Select(t => t.GetProperty("price").GetDecimal()));
        var inWindow = await gateway.Http.GetFromJsonAsync<JsonElement>("/prices/history/binance/BTCUSDT");
        Assert.Equal([3L, 4L], inWindow.GetProperty("trades").EnumerateArray().Select(t => t.GetProperty("tradeId").GetInt64()));
        Assert.Equal(binanceTrades[^1].Time, inWindow.GetProperty("trades")[1].GetProperty("timestamp").GetDateTimeOffset());

        var quiet = await StatAsync(gateway.Http, "/prices/highest/binance/ETHUSDT?period=1h");
        Assert.Equal((null, 0L), (quiet.Value, quiet.Count));
        Assert.Empty(quiet.Exchanges);

        // Candles: per interval, the sent trades grouped by open time (sub-minute ones from the 5-minute window only).
        var btc = binanceTrades.ToList();
        foreach (var (interval, size, trades) in new[]
        {
            ("1m", TimeSpan.FromMinutes(1), btc),
            ("5m", TimeSpan.FromMinutes(5), btc),
            ("1h", TimeSpan.FromHours(1), btc),
            ("10s", TimeSpan.Zero, btc),
            ("15s", TimeSpan.FromSeconds(15), btc.Where(t => t.Time > now - TimeSpan.FromMinutes(5)).ToList()),
        })
        {
            using var response = await gateway.Http.GetAsync($"/candles/binance/BTCUSDT?interval={interval}&from={(now - TimeSpan.FromMinutes(30)).ToUnixTimeMilliseconds()}");
            if (size == TimeSpan.Zero)
            {
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                continue;
            }

            var candles = await response.Content.ReadFromJsonAsync<Candle[]>();
            var expected = ReferenceCandles.Of(trades, size);
            Assert.Equal(expected.Select(c => c with { Closed = false }), candles!.Select(c => c with { Closed = false }));
            Assert.All(candles!.SkipLast(1), c => Assert.True(c.Closed));
        }

        // Consolidated: Binance (VWAP 175, volume 1) and OKX (250, 0.5) give 200; Bybit has not traded.
        var consolidated = await gateway.Http.GetFromJsonAsync<JsonElement>("/prices/consolidated/BTCUSDT?period=1m");
        Assert.Equal(200m, consolidated.GetProperty("price").GetDecimal());
        Assert.Equal(["binance", "okx"], consolidated.GetProperty("used").EnumerateArray().Select(u => u.GetProperty("exchange").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(("bybit", "stale: no trade yet"), Excluded(consolidated).Single());

        // Bybit trades far off: with three fresh exchanges it is an outlier from their median, 250 (Binance is 30 % off, within 50 %).
        foreach (var frame in bybitFormat.Frames([new FakeTrade("BTCUSDT", bybitFormat.KeyOf("BTCUSDT"), 21, "900.0", "1", DateTimeOffset.UtcNow)]))
        {
            await bybit.SendAsync(frame);
        }

        await Eventually.HoldsAsync(async () => await SequenceAsync(gateway.Http, "bybit/BTCUSDT") == 1, TimeSpan.FromSeconds(30), "bybit's trade");
        consolidated = await gateway.Http.GetFromJsonAsync<JsonElement>("/prices/consolidated/BTCUSDT?period=2m");
        Assert.Equal(200m, consolidated.GetProperty("price").GetDecimal());
        var (outlier, reason) = Excluded(consolidated).Single();
        Assert.Equal("bybit", outlier);
        Assert.StartsWith("outlier: 260 % from the median 250", reason, StringComparison.Ordinal);

        // OKX's last trade made stale: Binance and Bybit remain, two, so no outlier rule: (175 * 1 + 900 * 1) / 2.
        var okxAge = DateTimeOffset.UtcNow - okxTrades[^1].Time;
        consolidated = await gateway.Http.GetFromJsonAsync<JsonElement>($"/prices/consolidated/BTCUSDT?period=2m&staleAfter={(int)okxAge.TotalSeconds - 2}s");
        Assert.Equal(537.5m, consolidated.GetProperty("price").GetDecimal());
        Assert.StartsWith("stale: last trade", Excluded(consolidated).Single(e => e.Exchange == "okx").Reason, StringComparison.Ordinal);

        foreach (var (path, status) in new[]
        {
            ("/prices/consolidated/BTCUSDT?period=0s", HttpStatusCode.BadRequest),
            ("/prices/consolidated/BTCUSDT?staleAfter=soon", HttpStatusCode.BadRequest),
            ("/prices/consolidated/XRPUSDT", HttpStatusCode.NotFound),
            ("/prices/history/binance/BTCUSDT?limit=0", HttpStatusCode.BadRequest),
            ("/prices/history/binance/BTCUSDT?limit=1001", HttpStatusCode.BadRequest),
            ("/prices/history/binance/BTCUSDT?since=soon", HttpStatusCode.BadRequest),
            ("/prices/history/kraken/BTCUSDT", HttpStatusCode.NotFound),
            ("/candles/binance/BTCUSDT?interval=7m", HttpStatusCode.BadRequest),
            ("/candles/binance/BTCUSDT?limit=0", HttpStatusCode.BadRequest),
            ("/candles/binance/BTCUSDT?limit=1001", HttpStatusCode.BadRequest),
            ("/candles/binance/BTCUSDT?from=yesterday", HttpStatusCode.BadRequest),
            ("/candles/binance/BTCUSDT?from=2026-12-07T10:00:00Z&to=2026-12-07T09:00:00Z", HttpStatusCode.BadRequest),
            ("/candles/kraken/BTCUSDT", HttpStatusCode.NotFound),
            ("/prices/highest/BTCUSDT?period=abc", HttpStatusCode.BadRequest),
            ("/prices/highest/BTCUSDT?period=0s", HttpStatusCode.BadRequest),
            ("/prices/average/binance/BTCUSDT?period=8d", HttpStatusCode.BadRequest),
            ("/prices/lowest/kraken/BTCUSDT", HttpStatusCode.NotFound),
            ("/prices/lowest/XRPUSDT", HttpStatusCode.NotFound),
        })
        {
            using var response = await gateway.Http.GetAsync(path);
            Assert.True(response.StatusCode == status, $"{path}: {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    private static IEnumerable<(string? Exchange, string? Reason)> Excluded(JsonElement consolidated) =>
        consolidated.GetProperty("excluded").EnumerateArray().Select(e => (e.GetProperty("exchange").GetString(), e.GetProperty("reason").GetString()));

    private static async Task<long> SequenceAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync($"/prices/latest/{path}");
        return response.IsSuccessStatusCode ? (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sequence").GetInt64() : 0;
    }

    private static async Task<StatResult> StatAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {body}");
        return JsonSerializer.Deserialize<StatResult>(body, JsonSerializerOptions.Web)!;
    }

    private sealed record StatResult(string Stat, string Symbol, string[] Exchanges, string Period, DateTimeOffset From, DateTimeOffset To, string Source, decimal? Value, long Count);
}
