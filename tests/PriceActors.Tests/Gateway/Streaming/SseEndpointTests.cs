using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PriceActors.Gateway.Streaming;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Streaming;

/// <summary>Server-sent events at <c>/prices/stream</c> end to end on the embedded system.</summary>
[Collection(EmbeddedGatewayCollection.Name)]
public sealed class SseEndpointTests(EmbeddedGatewayFixture system)
{
    private const string Instruments = "okx:BTCUSDT,binance:TONUSDT";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Stream_KnownInstruments_SendsPricesWithIdsHoldingEveryInstrumentsPosition()
    {
        await using var stream = await SseTestClient.OpenAsync(system.Http, $"/prices/stream?instruments={Instruments}");

        var events = await CollectAsync(stream, 20);

        Assert.Equal("text/event-stream", stream.Response.Content.Headers.ContentType?.MediaType);
        var updates = events.Select(e => StreamedPrice.From(e.Data)).ToList();
        StreamedPrice.AssertContinuous(updates);
        Assert.Equal(["binance:TONUSDT", "okx:BTCUSDT"], updates.Select(u => u.Key).Distinct().Order());
        var last = events[^1];
        Assert.True(SsePositions.TryParse(last.Id!, 2, out var positions, out var error), error);
        var latest = updates.GroupBy(u => u.Key).ToDictionary(g => g.Key, g => g.Last());
        Assert.Equal(new StreamPosition(latest["okx:BTCUSDT"].Epoch, latest["okx:BTCUSDT"].Sequence), positions[0]);
        Assert.Equal(new StreamPosition(latest["binance:TONUSDT"].Epoch, latest["binance:TONUSDT"].Sequence), positions[1]);
    }

    [Fact]
    public async Task Stream_ReconnectingWithLastEventId_GetsExactlyTheMissedUpdatesThenLive()
    {
        List<SseEvent> before;
        await using (var first = await SseTestClient.OpenAsync(system.Http, $"/prices/stream?instruments={Instruments}"))
        {
            before = await CollectAsync(first, 10);
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
        await using var second = await SseTestClient.OpenAsync(system.Http, $"/prices/stream?instruments={Instruments}", lastEventId: before[^1].Id);
        var after = await CollectAsync(second, 60);

        var all = before.Concat(after).Select(e => StreamedPrice.From(e.Data)).ToList();
        StreamedPrice.AssertContinuous(all);
        Assert.True(after.Select(e => StreamedPrice.From(e.Data)).Count(u => u.Sequence == u.FirstSequence) >= 30, "the missed trades come one update each");
    }

    [Fact]
    public async Task Stream_SinceQuery_ResumesLikeLastEventId()
    {
        List<SseEvent> before;
        await using (var first = await SseTestClient.OpenAsync(system.Http, "/prices/stream?instruments=bybit:ETHUSDT"))
        {
            before = await CollectAsync(first, 5);
        }

        await using var second = await SseTestClient.OpenAsync(system.Http, $"/prices/stream?instruments=bybit:ETHUSDT&since={Uri.EscapeDataString(before[^1].Id!)}");
        var after = await CollectAsync(second, 10);

        StreamedPrice.AssertContinuous(before.Concat(after).Select(e => StreamedPrice.From(e.Data)));
    }

    [Fact]
    public async Task Stream_APositionOfAnotherEpoch_SendsAResetThenTheCurrentPrice()
    {
        await using var stream = await SseTestClient.OpenAsync(system.Http, "/prices/stream?instruments=binance:SOLUSDT", lastEventId: "7:42");

        var reset = await stream.NextAsync("reset", Patience);
        var snapshot = StreamedPrice.From((await stream.NextAsync("price", Patience)).Data);

        Assert.Equal("epochChanged", reset.Data.GetProperty("reason").GetString());
        Assert.Equal(snapshot.Epoch, reset.Data.GetProperty("epoch").GetInt64());
    }

    [Theory]
    [InlineData("/prices/stream", HttpStatusCode.BadRequest, "Name at least one instrument")]
    [InlineData("/prices/stream?instruments=binance:NOPE", HttpStatusCode.NotFound, "Unknown instrument 'binance:NOPE'")]
    [InlineData("/prices/stream?instruments=BTCUSDT", HttpStatusCode.BadRequest, "expected 'exchange:SYMBOL'")]
    [InlineData("/prices/stream?instruments=binance:BTCUSDT&since=garbage", HttpStatusCode.BadRequest, "is not a stream position")]
    [InlineData("/prices/stream?instruments=binance:BTCUSDT&since=1:2.3", HttpStatusCode.BadRequest, "The position has 2 instruments, the stream 1")]
    [InlineData("/prices/stream?instruments=binance:BTCUSDT&maxUpdatesPerSecond=fast", HttpStatusCode.BadRequest, "maxUpdatesPerSecond must be a number")]
    public async Task Stream_BadRequest_AnswersAProblem(string path, HttpStatusCode status, string detail)
    {
        using var response = await system.Http.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_MaxUpdatesPerSecond_ConflatesToTheRateWithoutGaps()
    {
        await using var stream = await SseTestClient.OpenAsync(system.Http, "/prices/stream?instruments=okx:DOGEUSDT&maxUpdatesPerSecond=2");

        var first = await CollectAsync(stream, 2);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var later = await CollectAsync(stream, 4);
        var elapsed = clock.Elapsed;

        // At 20 trades a second, an update after the first ones merges those of its half second (a lone one is not
        // conflated, so only most are); four come a half second apart.
        var updates = first.Concat(later).Select(e => StreamedPrice.From(e.Data)).ToList();
        StreamedPrice.AssertContinuous(updates);
        Assert.Contains(updates.Skip(2), u => u.Conflated && u.Sequence > u.FirstSequence);
        Assert.True(elapsed >= TimeSpan.FromSeconds(1.4), $"four updates in {elapsed}");
    }

    private static async Task<List<SseEvent>> CollectAsync(SseTestClient stream, int count)
    {
        var events = new List<SseEvent>();
        while (events.Count < count)
        {
            events.Add(await stream.NextAsync("price", Patience));
        }

        return events;
    }
}
