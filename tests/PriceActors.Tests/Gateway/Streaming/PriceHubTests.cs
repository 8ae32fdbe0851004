using System.Net.Http.Json;
using System.Text.Json;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Streaming;

/// <summary>The hub end to end: the embedded system on a real port, spoken to in the SignalR JSON protocol.</summary>
[Collection(EmbeddedGatewayCollection.Name)]
public sealed class PriceHubTests(EmbeddedGatewayFixture system)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Subscribe_KnownInstruments_SendsCurrentPriceFirstThenStrictlyIncreasingSequences()
    {
        await using var client = await SignalRJsonClient.ConnectAsync(system.HubAddress);

        var subscribed = await client.SubscribeAsync("binance:BTCUSDT", "okx:ETHUSDT");

        Assert.Equal(["binance:BTCUSDT", "okx:ETHUSDT"], subscribed.EnumerateArray().Select(e => e.GetString()));
        var snapshots = new List<Update>();
        while (client.Messages.TryRead(out var early))
        {
            snapshots.Add(Update.From(early.Argument));
        }

        // Each instrument's current price comes before the call completes; a live update may already follow it.
        Assert.Equal(["binance:BTCUSDT", "okx:ETHUSDT"], snapshots.Select(s => s.Key).Distinct().Order());
        var received = snapshots.ToList();
        while (received.Count(u => u.Key == "binance:BTCUSDT") < 15 || received.Count(u => u.Key == "okx:ETHUSDT") < 15)
        {
            received.Add(Update.From(await client.NextAsync("priceUpdated", Patience)));
        }

        foreach (var stream in received.GroupBy(u => u.Key))
        {
            var updates = stream.ToList();
            Assert.Single(updates.Select(u => u.Epoch).Distinct());
            Assert.All(updates.Zip(updates.Skip(1)), pair => Assert.True(pair.Second.Sequence > pair.First.Sequence, $"{stream.Key}: {pair.First.Sequence} then {pair.Second.Sequence}"));
            Assert.All(updates, u => Assert.True(u.Price > 0m));
        }
    }

    [Fact]
    public async Task Subscribe_AnyCase_AnswersCanonicalKeys()
    {
        await using var client = await SignalRJsonClient.ConnectAsync(system.HubAddress);

        var subscribed = await client.SubscribeAsync("BYBIT:solusdt");

        Assert.Equal("bybit:SOLUSDT", Assert.Single(subscribed.EnumerateArray()).GetString());
        var first = Update.From(await client.NextAsync("priceUpdated", Patience));
        Assert.Equal("bybit:SOLUSDT", first.Key);
    }

    [Theory]
    [InlineData("binance:NOPEUSDT", "Unknown instrument 'binance:NOPEUSDT'")]
    [InlineData("nasdaq:BTCUSDT", "Unknown instrument 'nasdaq:BTCUSDT'")]
    [InlineData("BTCUSDT", "expected 'exchange:SYMBOL'")]
    [InlineData("binance:BTC/USDT", "Symbol 'BTC/USDT' is not valid")]
    public async Task Subscribe_BadInstrument_FailsWithReasonAndSubscribesNothing(string bad, string reason)
    {
        await using var client = await SignalRJsonClient.ConnectAsync(system.HubAddress);

        var error = await Assert.ThrowsAsync<HubErrorException>(() => client.SubscribeAsync("binance:BTCUSDT", bad));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        await AssertSilentAsync(client, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Subscribe_NoInstrument_Fails()
    {
        await using var client = await SignalRJsonClient.ConnectAsync(system.HubAddress);

        var error = await Assert.ThrowsAsync<HubErrorException>(() => client.SubscribeAsync());

        Assert.Contains("at least one instrument", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unsubscribe_AfterUpdates_StopsThem()
    {
        await using var client = await SignalRJsonClient.ConnectAsync(system.HubAddress);
        await client.SubscribeAsync("bybit:DOGEUSDT");
        await client.NextAsync("priceUpdated", Patience);
        await client.NextAsync("priceUpdated", Patience);

        await client.UnsubscribeAsync("bybit:DOGEUSDT");

        while (client.Messages.TryRead(out _))
        {
        }

        await AssertSilentAsync(client, TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task TwoClients_SameInstrument_ReceiveTheSameUpdates()
    {
        await using var first = await SignalRJsonClient.ConnectAsync(system.HubAddress);
        await using var second = await SignalRJsonClient.ConnectAsync(system.HubAddress);
        await first.SubscribeAsync("okx:SOLUSDT");
        await second.SubscribeAsync("okx:SOLUSDT");

        var a = await CollectAsync(first, 20);
        var b = await CollectAsync(second, 20);

        var from = Math.Max(a[0].Sequence, b[0].Sequence);
        var to = Math.Min(a[^1].Sequence, b[^1].Sequence);
        Assert.True(to - from > 5, $"the two streams overlap too little: {from}..{to}");
        Assert.Equal(
            a.Where(u => u.Sequence >= from && u.Sequence <= to),
            b.Where(u => u.Sequence >= from && u.Sequence <= to));
    }

    [Fact]
    public async Task LatestPrice_FromRest_IsOneTheStreamDelivers()
    {
        await using var client = await SignalRJsonClient.ConnectAsync(system.HubAddress);
        await client.SubscribeAsync("binance:ETHUSDT");
        var streamed = await CollectAsync(client, 3);

        var rest = await system.Http.GetFromJsonAsync<JsonElement>("/prices/latest/binance/ETHUSDT");
        var fromRest = Update.From(rest);
        while (streamed[^1].Sequence < fromRest.Sequence)
        {
            streamed.Add(Update.From(await client.NextAsync("priceUpdated", Patience)));
        }

        Assert.Contains(fromRest, streamed);
    }

    [Fact]
    public async Task MinuteBarClosed_AfterTheMinuteEnds_MatchesTheRestHistory()
    {
        await using var client = await SignalRJsonClient.ConnectAsync(system.HubAddress);
        await client.SubscribeAsync("okx:BTCUSDT");

        var bar = await client.NextAsync("minuteBarClosed", TimeSpan.FromSeconds(75));

        var minute = bar.GetProperty("minute").GetDateTimeOffset();
        Assert.Equal(0, minute.Second);
        Assert.Equal(0, minute.Millisecond);
        Assert.True(bar.GetProperty("closed").GetBoolean());
        Assert.True(bar.GetProperty("count").GetInt64() > 0);
        var (low, high) = (bar.GetProperty("low").GetDecimal(), bar.GetProperty("high").GetDecimal());
        Assert.InRange(bar.GetProperty("open").GetDecimal(), low, high);
        Assert.InRange(bar.GetProperty("close").GetDecimal(), low, high);
        Assert.InRange(bar.GetProperty("average").GetDecimal(), low, high);
        Assert.Equal(low, bar.GetProperty("min").GetDecimal());
        Assert.Equal(high, bar.GetProperty("max").GetDecimal());
        var history = await system.Http.GetFromJsonAsync<JsonElement>("/prices/bars/okx/BTCUSDT");
        var stored = history.GetProperty("closed").EnumerateArray().Single(b => b.GetProperty("minute").GetDateTimeOffset() == minute);
        Assert.Equal(bar.GetRawText(), stored.GetRawText());
    }

    [Fact]
    public async Task SubscribeWith_SinceAnEarlierPosition_ReplaysExactlyTheMissedUpdatesThenLive()
    {
        List<StreamedPrice> before;
        await using (var first = await SignalRJsonClient.ConnectAsync(system.HubAddress))
        {
            await first.SubscribeAsync("binance:DOGEUSDT");
            before = await CollectStreamedAsync(first, 5);
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        var last = before[^1];
        await using var second = await SignalRJsonClient.ConnectAsync(system.HubAddress);
        await second.InvokeAsync("SubscribeWith", new
        {
            instruments = new[] { "binance:DOGEUSDT" },
            since = new Dictionary<string, object> { ["binance:DOGEUSDT"] = new { epoch = last.Epoch, sequence = last.Sequence } },
        });
        var after = await CollectStreamedAsync(second, 30);

        Assert.Equal(last.Sequence + 1, after[0].FirstSequence);
        StreamedPrice.AssertContinuous([.. before, .. after]);
    }

    [Fact]
    public async Task SubscribeWith_APositionOfAnotherEpoch_SendsStreamResetThenTheCurrentPrice()
    {
        await using var client = await SignalRJsonClient.ConnectAsync(system.HubAddress);

        await client.InvokeAsync("SubscribeWith", new
        {
            instruments = new[] { "okx:TONUSDT" },
            since = new Dictionary<string, object> { ["okx:TONUSDT"] = new { epoch = 3, sequence = 9 } },
        });
        var reset = await client.NextAsync("streamReset", Patience);
        var snapshot = StreamedPrice.From(await client.NextAsync("priceUpdated", Patience));

        Assert.Equal(("okx", "TONUSDT", "epochChanged"), (reset.GetProperty("exchange").GetString(), reset.GetProperty("symbol").GetString(), reset.GetProperty("reason").GetString()));
        Assert.Equal(snapshot.Epoch, reset.GetProperty("epoch").GetInt64());
    }

    [Theory]
    [InlineData("""{"instruments":["okx:TONUSDT"],"since":{"okx:BTCUSDT":{"epoch":1,"sequence":2}}}""", "'since' names okx:BTCUSDT, which is not among the instruments subscribed.")]
    [InlineData("""{"instruments":["okx:TONUSDT"],"since":{"okx:TONUSDT":{"epoch":-1,"sequence":2}}}""", "needs an epoch and a sequence of 0 or more")]
    [InlineData("""{"instruments":["okx:TONUSDT"],"maxUpdatesPerSecond":-1}""", "maxUpdatesPerSecond must be 0 (every update) or more")]
    public async Task SubscribeWith_BadOptions_FailsWithTheReason(string request, string reason)
    {
        await using var client = await SignalRJsonClient.ConnectAsync(system.HubAddress);

        var error = await Assert.ThrowsAsync<HubErrorException>(() => client.InvokeAsync("SubscribeWith", JsonDocument.Parse(request).RootElement));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    private static async Task<List<Update>> CollectAsync(SignalRJsonClient client, int count)
    {
        var updates = new List<Update>();
        while (updates.Count < count)
        {
            updates.Add(Update.From(await client.NextAsync("priceUpdated", Patience)));
        }

        return updates;
    }

    private static async Task<List<StreamedPrice>> CollectStreamedAsync(SignalRJsonClient client, int count)
    {
        var updates = new List<StreamedPrice>();
        while (updates.Count < count)
        {
            updates.Add(StreamedPrice.From(await client.NextAsync("priceUpdated", Patience)));
        }

        return updates;
    }

    private static async Task AssertSilentAsync(SignalRJsonClient client, TimeSpan period)
    {
        using var quiet = new CancellationTokenSource(period);
        try
        {
            var message = await client.Messages.ReadAsync(quiet.Token);
            Assert.Fail($"Expected no updates, got {message.Target}: {message.Argument}");
        }
        catch (OperationCanceledException) when (quiet.IsCancellationRequested)
        {
            // Nothing arrived.
        }
    }

    private sealed record Update(string Key, decimal Price, DateTimeOffset Timestamp, long Sequence, long Epoch)
    {
        public static Update From(JsonElement e) => new(
            $"{e.GetProperty("exchange").GetString()}:{e.GetProperty("symbol").GetString()}",
            e.GetProperty("price").GetDecimal(),
            e.GetProperty("timestamp").GetDateTimeOffset(),
            e.GetProperty("sequence").GetInt64(),
            e.GetProperty("epoch").GetInt64());
    }
}
