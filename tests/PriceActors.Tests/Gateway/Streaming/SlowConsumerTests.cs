using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using PriceActors.Gateway.Streaming;
using PriceActors.Tests.Gateway.Feeds;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Streaming;

/// <summary>A slow client beside a fast one, on an embedded system with busy feeds and a small queue.</summary>
public sealed class SlowConsumerTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task SlowClient_IsConflatedWithoutGapsThenDisconnectedWhenStuck_WhileTheFastOneGetsEveryUpdate()
    {
        await using var gateway = await LiveModeTests.StartAsync(
            "--Feeds:Synthetic:TicksPerSecond=300", "--Feeds:Synthetic:PublishInterval=00:00:00.020", "--Streaming:QueueCapacity=64", "--Streaming:SocketSendBufferBytes=16384", "--Streaming:SlowClientTimeout=00:00:05");
        var instruments = (await gateway.Http.GetFromJsonAsync<JsonElement[]>("/instruments"))!
            .Select(i => $"{i.GetProperty("exchange").GetString()}:{i.GetProperty("symbol").GetString()}").ToArray();
        var broadcaster = gateway.App.Services.GetRequiredService<PriceBroadcaster>();
        var address = WsTestClient.AddressOf(gateway.Http.BaseAddress!, "/ws");
        await using var fast = await WsTestClient.ConnectAsync(address);
        await using var slow = await WsTestClient.ConnectAsync(address, receiveBufferBytes: 4096);
        slow.Delay = TimeSpan.FromMilliseconds(4);
        await fast.SendAsync(new { op = "subscribe", instruments });
        await slow.SendAsync(new { op = "subscribe", instruments });
        var fastUpdates = new List<StreamedPrice>();
        var reading = Task.Run(async () =>
        {
            await foreach (var message in fast.Messages.ReadAllAsync())
            {
                if (message.GetProperty("type").GetString() == "price_update")
                {
                    lock (fastUpdates)
                    {
                        fastUpdates.Add(StreamedPrice.From(message.GetProperty("data")));
                    }
                }
            }
        });

        // Reading at most 250 messages a second of about 700: the slow client's queue fills and its updates conflate.
        var slowUpdates = new List<StreamedPrice>();
        while (slowUpdates.Count(u => u.Conflated) < 20)
        {
            slowUpdates.Add(StreamedPrice.From((await slow.NextAsync("price_update", Patience)).GetProperty("data")));
        }

        // Then it stops reading: once the sockets' buffers are full its writes stall, and it is disconnected.
        await slow.PauseAsync();
        var fastBefore = Count(fastUpdates);
        var largest = 0;
        await Eventually.HoldsAsync(
            () =>
            {
                largest = Math.Max(largest, broadcaster.GetQueued().Largest);
                return broadcaster.GetStatistics().Connections == 1;
            },
            Patience,
            "the stuck client disconnected");
        await Task.Delay(TimeSpan.FromSeconds(1));
        var fastAfter = Count(fastUpdates);
        slow.Resume();

        // Reading again, it finds its connection cut (after what the sockets still held).
        Assert.Same(slow.Ended, await Task.WhenAny(slow.Ended, Task.Delay(Patience)));

        StreamedPrice.AssertContinuous(slowUpdates);

        // While stuck its queue stayed bounded: prices stop at the capacity (then one conflated update per instrument),
        // bars and candles (5 s by default) at twice the capacity, past which the connection is cut.
        Assert.InRange(largest, 1, (2 * 64) + instruments.Length);
        Assert.True(fastAfter - fastBefore > 500, $"the fast client got {fastAfter - fastBefore} updates while the slow one was stuck");
        lock (fastUpdates)
        {
            StreamedPrice.AssertContinuous(fastUpdates);
            Assert.DoesNotContain(fastUpdates, u => u.Conflated);
        }

        await fast.DisposeAsync();
        await reading;
    }

    private static int Count(List<StreamedPrice> updates)
    {
        lock (updates)
        {
            return updates.Count;
        }
    }
}
