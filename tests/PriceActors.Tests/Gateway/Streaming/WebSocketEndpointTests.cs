using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Streaming;

/// <summary>The raw WebSocket at <c>/ws</c> end to end on the embedded system.</summary>
[Collection(EmbeddedGatewayCollection.Name)]
public sealed class WebSocketEndpointTests(EmbeddedGatewayFixture system)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Subscribe_KnownInstruments_SendsTheCurrentPriceThenContinuousUpdatesAndConfirms()
    {
        await using var client = await ConnectAsync("/ws");

        await client.SendAsync(new { op = "subscribe", instruments = new[] { "binance:BTCUSDT", "OKX:ethusdt" } });

        var updates = new List<StreamedPrice>();
        JsonElement? confirmation = null;
        while (updates.Count(u => u.Key == "binance:BTCUSDT") < 10 || updates.Count(u => u.Key == "okx:ETHUSDT") < 10)
        {
            var message = await NextAsync(client);
            switch (message.GetProperty("type").GetString())
            {
                case "price_update":
                    updates.Add(StreamedPrice.From(message.GetProperty("data")));
                    break;
                case "subscribed":
                    confirmation = message;
                    Assert.Equal(["binance:BTCUSDT", "okx:ETHUSDT"], updates.Take(2).Select(u => u.Key).Order());
                    break;
            }
        }

        Assert.Equal(["binance:BTCUSDT", "okx:ETHUSDT"], confirmation!.Value.GetProperty("instruments").EnumerateArray().Select(e => e.GetString()));
        StreamedPrice.AssertContinuous(updates);
        Assert.DoesNotContain(updates, u => u.Conflated);
    }

    [Fact]
    public async Task Connect_ShorthandPath_SubscribesAtOnce()
    {
        await using var client = await ConnectAsync("/ws/bybit/solusdt");

        var first = StreamedPrice.From((await client.NextAsync("price_update", Patience)).GetProperty("data"));

        Assert.Equal("bybit:SOLUSDT", first.Key);
    }

    [Theory]
    [InlineData("/ws/binance/NOPEUSDT", null, "Unknown instrument 'binance:NOPEUSDT'")]
    [InlineData("/ws", """{"op":"subscribe","instruments":["kraken:BTCUSD"]}""", "Unknown instrument 'kraken:BTCUSD'")]
    public async Task Subscribe_UnknownInstrument_ClosesWith4004AndTheReason(string path, string? message, string reason)
    {
        await using var client = await ConnectAsync(path);
        if (message is not null)
        {
            await client.SendTextAsync(message);
        }

        await client.Ended.WaitAsync(Patience);

        Assert.Equal((WebSocketCloseStatus)4004, client.Closed.Status);
        Assert.StartsWith(reason, client.Closed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receive_MalformedMessages_AnswersErrorFramesThenClosesWithPolicyViolation()
    {
        await using var client = await ConnectAsync("/ws");

        await client.SendTextAsync("not json");
        var notJson = await client.NextAsync("error", Patience);
        await client.SendTextAsync("""{"op":"dance"}""");
        var unknownOp = await client.NextAsync("error", Patience);
        await client.SendTextAsync("""{"op":"subscribe","instruments":["BTCUSDT"]}""");
        await client.Ended.WaitAsync(Patience);

        Assert.StartsWith("Not a valid message", notJson.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("Unknown op 'dance': send subscribe, unsubscribe or ping.", unknownOp.GetProperty("message").GetString());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, client.Closed.Status);
        Assert.Contains("3 bad messages", client.Closed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Receive_OversizedMessages_AnswersAnErrorThenClosesWithMessageTooBig()
    {
        await using var client = await ConnectAsync("/ws");
        var huge = $$"""{"op":"subscribe","instruments":["{{new string('A', 70_000)}}"]}""";

        await client.SendTextAsync(huge);
        var error = await client.NextAsync("error", Patience);
        await client.SendTextAsync("""{"op":"ping"}""");
        var pong = await client.NextAsync("pong", Patience);
        await client.SendTextAsync(huge);
        await client.NextAsync("error", Patience);
        await client.SendTextAsync(huge);
        await client.Ended.WaitAsync(Patience);

        Assert.Equal("A message may be at most 65536 bytes.", error.GetProperty("message").GetString());
        Assert.Equal("pong", pong.GetProperty("type").GetString());
        Assert.Equal(WebSocketCloseStatus.MessageTooBig, client.Closed.Status);
    }

    [Fact]
    public async Task Unsubscribe_StopsTheUpdates()
    {
        await using var client = await ConnectAsync("/ws");
        await client.SendAsync(new { op = "subscribe", instruments = new[] { "bybit:DOGEUSDT" } });
        await client.NextAsync("subscribed", Patience);

        await client.SendAsync(new { op = "unsubscribe", instruments = new[] { "bybit:DOGEUSDT" } });
        await client.NextAsync("unsubscribed", Patience);
        while (client.Messages.TryRead(out _))
        {
        }

        using var quiet = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.Messages.ReadAsync(quiet.Token).AsTask());
    }

    [Fact]
    public async Task Subscribe_SinceAnEarlierPosition_ReplaysExactlyTheMissedUpdatesThenLive()
    {
        List<StreamedPrice> before;
        await using (var first = await ConnectAsync("/ws"))
        {
            await first.SendAsync(new { op = "subscribe", instruments = new[] { "okx:SOLUSDT" } });
            before = await CollectAsync(first, 5);
        }

        // Away for a while: the pair trades on.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var last = before[^1];
        await using var second = await ConnectAsync("/ws");
        await second.SendAsync(new
        {
            op = "subscribe",
            instruments = new[] { "okx:SOLUSDT" },
            since = new Dictionary<string, object> { ["okx:SOLUSDT"] = new { epoch = last.Epoch, sequence = last.Sequence } },
        });
        var after = await CollectAsync(second, 30);

        Assert.Equal(last.Sequence + 1, after[0].FirstSequence);
        Assert.True(after.Count(u => u.Sequence == u.FirstSequence) >= 20, "the missed trades come one update each");
        StreamedPrice.AssertContinuous([.. before, .. after]);
    }

    [Theory]
    [InlineData(1L, 5L, "epochChanged")]
    [InlineData(0L, 999_999_999L, "ahead")]
    public async Task Subscribe_SinceAPositionThatCannotBeFilled_SendsAResetThenTheCurrentPrice(long epoch, long sequence, string reason)
    {
        var current = await system.Http.GetFromJsonAsync<JsonElement>("/prices/latest/bybit/TONUSDT");
        var currentEpoch = current.GetProperty("epoch").GetInt64();
        await using var client = await ConnectAsync("/ws");

        await client.SendAsync(new
        {
            op = "subscribe",
            instruments = new[] { "bybit:TONUSDT" },
            since = new Dictionary<string, object> { ["bybit:TONUSDT"] = new { epoch = epoch == 0 ? currentEpoch : epoch, sequence } },
        });
        var reset = await client.NextAsync("reset", Patience);
        var snapshot = StreamedPrice.From((await client.NextAsync("price_update", Patience)).GetProperty("data"));

        Assert.Equal(reason, reset.GetProperty("data").GetProperty("reason").GetString());
        Assert.Equal(currentEpoch, reset.GetProperty("data").GetProperty("epoch").GetInt64());
        Assert.Equal(("bybit:TONUSDT", currentEpoch), (snapshot.Key, snapshot.Epoch));
    }

    [Fact]
    public async Task Metrics_WhileAClientStreams_CountConnectionsAndDeliveredMessagesByTransport()
    {
        await using var client = await ConnectAsync("/ws/okx/dogeusdt?candleInterval=none");
        await CollectAsync(client, 3);

        var text = await system.Http.GetStringAsync("/metrics");

        Assert.Matches("""priceactors_stream_connections\{[^}]*transport="websocket"[^}]*\} [1-9]""", text);
        Assert.Matches("""priceactors_stream_delivered_total\{[^}]*transport="websocket"[^}]*\} [1-9]""", text);
    }

    [Fact]
    public async Task Subscribe_ManyClientsJoiningWhileOneStreams_TheStreamingOneMissesNothing()
    {
        await using var watcher = await ConnectAsync("/ws/okx/ethusdt?candleInterval=none");
        await watcher.NextAsync("price_update", Patience);

        // Each join reads the pair, which may be ahead of its update stream: that must not cost the others an update.
        var joiners = new List<WsTestClient>();
        try
        {
            for (var i = 0; i < 20; i++)
            {
                var joiner = await ConnectAsync("/ws/okx/ethusdt?candleInterval=none");
                joiners.Add(joiner);
                await joiner.NextAsync("price_update", Patience);
            }

            var seen = await CollectAsync(watcher, 40);
            foreach (var joiner in joiners)
            {
                StreamedPrice.AssertContinuous(await CollectAsync(joiner, 5));
            }

            StreamedPrice.AssertContinuous(seen);
        }
        finally
        {
            foreach (var joiner in joiners)
            {
                await joiner.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Get_WithoutAnUpgrade_Answers400WithAProblem()
    {
        using var response = await system.Http.GetAsync("/ws");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private Task<WsTestClient> ConnectAsync(string path) => WsTestClient.ConnectAsync(WsTestClient.AddressOf(system.BaseAddress, path));

    private static async Task<JsonElement> NextAsync(WsTestClient client)
    {
        using var deadline = new CancellationTokenSource(Patience);
        return await client.Messages.ReadAsync(deadline.Token);
    }

    private static async Task<List<StreamedPrice>> CollectAsync(WsTestClient client, int count)
    {
        var updates = new List<StreamedPrice>();
        while (updates.Count < count)
        {
            updates.Add(StreamedPrice.From((await client.NextAsync("price_update", Patience)).GetProperty("data")));
        }

        return updates;
    }
}
