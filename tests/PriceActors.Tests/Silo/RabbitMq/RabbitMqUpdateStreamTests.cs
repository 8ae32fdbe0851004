using PriceActors.Grains;
using PriceActors.Silo.RabbitMq;

using PriceActors.Tests.Support;

namespace PriceActors.Tests.Silo.RabbitMq;

public sealed class RabbitMqUpdateStreamTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan QuietPeriod = TimeSpan.FromMilliseconds(300);
    private static readonly DateTimeOffset Start = new(2026, 11, 21, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Subscribe_AddedInstruments_ReceivesOnlyThoseInOrderAndBatched()
    {
        await using var bus = new RabbitMqTestBus(partitions: 1);
        var silo = bus.NewUpdateStream();
        var gatewayStatistics = new RabbitMqStatistics();
        var gateway = bus.NewUpdateStream(statistics: gatewayStatistics);
        var observer = new RecordingObserver();
        await using var subscription = gateway.Subscribe(observer);
        await subscription.AddAsync(Key("A.1"));
        await subscription.AddAsync(Key("B"));

        var published = await PublishAsync(silo, ["A.1", "B", "C"], 1, 400);
        await Eventually.HoldsAsync(() => observer.Count >= 2 * 404, Deadline, "the added instruments' updates");
        await Task.Delay(QuietPeriod);

        Assert.Equal(published["A.1"], observer.Of("A.1"));
        Assert.Equal(published["B"], observer.Of("B"));
        Assert.Empty(observer.Of("C"));
        Assert.InRange(gatewayStatistics.UpdateMessagesReceivedCount, 1, 2 * 404 / 4);
    }

    [Fact]
    public async Task RemoveAsync_ThenPublish_NothingMoreOfThatInstrument()
    {
        await using var bus = new RabbitMqTestBus(partitions: 1);
        var silo = bus.NewUpdateStream();
        var observer = new RecordingObserver();
        await using var subscription = bus.NewUpdateStream().Subscribe(observer);
        await subscription.AddAsync(Key("A"));
        await subscription.AddAsync(Key("B"));
        await PublishAsync(silo, ["A", "B"], 1, 50);
        await Eventually.HoldsAsync(() => observer.Count >= 2 * 50, Deadline, "updates before the removal");

        await subscription.RemoveAsync(Key("A"));
        var later = await PublishAsync(silo, ["A", "B"], 51, 50);
        await Eventually.HoldsAsync(() => observer.Of("B").Length >= 50 + 51, Deadline, "B's later updates");
        await Task.Delay(QuietPeriod);

        Assert.Equal(50, observer.Of("A").Length);
        Assert.Equal(later["B"], observer.Of("B").Skip(50));
    }

    [Fact]
    public async Task Subscribe_TwoGateways_IdenticalSequences()
    {
        await using var bus = new RabbitMqTestBus(partitions: 1);
        var silo = bus.NewUpdateStream();
        var (first, second) = (new RecordingObserver(), new RecordingObserver());
        await using var firstSubscription = bus.NewUpdateStream().Subscribe(first);
        await using var secondSubscription = bus.NewUpdateStream().Subscribe(second);
        foreach (var symbol in new[] { "X", "Y", "Z" })
        {
            await firstSubscription.AddAsync(Key(symbol));
            await secondSubscription.AddAsync(Key(symbol));
        }

        var published = await PublishAsync(silo, ["X", "Y", "Z"], 1, 300);
        await Eventually.HoldsAsync(() => first.Count >= 3 * 303 && second.Count >= 3 * 303, Deadline, "every update at both gateways");

        foreach (var symbol in new[] { "X", "Y", "Z" })
        {
            Assert.Equal(published[symbol], first.Of(symbol));
            Assert.Equal(first.Of(symbol), second.Of(symbol));
        }
    }

    [Fact]
    public async Task Subscribe_InstrumentsSharingMessages_EachUpdateOnceAtEveryQueueBoundToAnyOfThem()
    {
        await using var bus = new RabbitMqTestBus(partitions: 1);
        var siloStatistics = new RabbitMqStatistics();
        var silo = bus.NewUpdateStream(statistics: siloStatistics);
        var (several, one, none) = (new RecordingObserver(), new RecordingObserver(), new RecordingObserver());
        await using var severalSubscription = bus.NewUpdateStream().Subscribe(several);
        await using var oneSubscription = bus.NewUpdateStream().Subscribe(one);
        await using var noneSubscription = bus.NewUpdateStream().Subscribe(none);
        string[] symbols = [.. Enumerable.Range(0, 10).Select(i => $"S{i}")];
        foreach (var symbol in new[] { "S0", "S5", "S9" })
        {
            await severalSubscription.AddAsync(Key(symbol));
        }

        await oneSubscription.AddAsync(Key("S7"));
        await noneSubscription.AddAsync(Key("OTHER"));

        var published = await PublishAsync(silo, symbols, 1, 300);
        await Eventually.HoldsAsync(() => several.Count >= 3 * 303 && one.Count >= 303, Deadline, "the bound instruments' updates");
        await Task.Delay(QuietPeriod);

        // Messages hold up to 64 instruments: far fewer messages than instrument batches, each update still exactly once.
        Assert.InRange(siloStatistics.UpdateMessagesPublishedCount, 1, 10 * 303 / 3);
        foreach (var symbol in new[] { "S0", "S5", "S9" })
        {
            Assert.Equal(published[symbol], several.Of(symbol));
        }

        Assert.Equal(3 * 303, several.Count);
        Assert.Equal(published["S7"], one.Received);
        Assert.Empty(none.Received);
    }

    [Fact]
    public async Task Flush_MoreInstrumentsThanAMessageHolds_SplitIntoMessagesOfThatMany()
    {
        await using var bus = new RabbitMqTestBus(partitions: 1, o => (o.UpdateInstrumentsPerMessage, o.UpdateFlushInterval) = (4, TimeSpan.FromSeconds(1)));
        var siloStatistics = new RabbitMqStatistics();
        var silo = bus.NewUpdateStream(statistics: siloStatistics);
        var observer = new RecordingObserver();
        await using var subscription = bus.NewUpdateStream().Subscribe(observer);
        string[] symbols = [.. Enumerable.Range(0, 10).Select(i => $"S{i}")];
        foreach (var symbol in symbols)
        {
            await subscription.AddAsync(Key(symbol));
        }

        var published = await PublishAsync(silo, symbols, 1, 1);
        await Eventually.HoldsAsync(() => observer.Count >= 10, Deadline, "one update of each instrument");

        // The silo counts a message just after handing it to the client, which can be after the gateway got it.
        await Eventually.HoldsAsync(() => siloStatistics.UpdateMessagesPublishedCount >= 3, Deadline, "the silo's count of the messages");
        await Task.Delay(QuietPeriod);

        // One flush of 10 instruments is 3 messages of at most 4; 4 if the timer split the burst in two.
        Assert.InRange(siloStatistics.UpdateMessagesPublishedCount, 3, 4);
        Assert.All(symbols, s => Assert.Equal(published[s], observer.Of(s)));
    }

    private static InstrumentKey Key(string symbol) => InstrumentKey.Create("test", symbol);

    /// <summary>Publishes interleaved updates (and a closed bar every 100) for each symbol; returns them per symbol in order.</summary>
    private static async Task<Dictionary<string, List<object>>> PublishAsync(RabbitMqUpdateStream stream, string[] symbols, long from, int count)
    {
        var published = symbols.ToDictionary(s => s, _ => new List<object>());
        for (var sequence = from; sequence < from + count; sequence++)
        {
            foreach (var symbol in symbols)
            {
                var update = new PriceUpdated("test", symbol, 100.5m + sequence, 0.001m * sequence, Start.AddSeconds(sequence), sequence, 7);
                await stream.PublishAsync(update);
                published[symbol].Add(update);
                if (sequence % 100 == 0)
                {
                    var bar = new MinuteBar("test", symbol, Start, 1.10m, 2m, 0.5m, 1.5m, 1.123456789012m, 1.2m, sequence, 12.5m, sequence, true);
                    var closed = new MinuteBarClosed(bar, 7);
                    await stream.PublishAsync(closed);
                    published[symbol].Add(closed);
                }
            }

            if (sequence % 50 == 0)
            {
                // Spread over several flushes, so batching and ordering across messages are both exercised.
                await Task.Yield();
            }
        }

        return published;
    }
}
