using PriceActors.Gateway.Streaming;
using PriceActors.Grains;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Gateway.Streaming;

/// <summary>A connection's bounded queue: order, conflation past the capacity, the per-instrument rate.</summary>
public sealed class OutboundQueueTests
{
    private static readonly InstrumentKey Btc = InstrumentKey.Parse("binance:BTCUSDT");
    private static readonly InstrumentKey Eth = InstrumentKey.Parse("binance:ETHUSDT");

    [Fact]
    public void OfferPrice_BelowTheCapacity_QueuesEveryUpdateInOrder()
    {
        var queue = new OutboundQueue(16, new ManualTimeProvider());

        var merged = Enumerable.Range(1, 10).Select(i => queue.OfferPrice(Price(Btc, i))).ToList();

        Assert.All(merged, Assert.False);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), Drain(queue).Select(p => p.Update.Sequence));
    }

    [Fact]
    public void OfferPrice_PastTheCapacity_MergesEachInstrumentIntoItsLatestAfterTheQueuedOnes()
    {
        var queue = new OutboundQueue(16, new ManualTimeProvider());
        for (var i = 1; i <= 16; i++)
        {
            queue.OfferPrice(Price(i % 2 == 0 ? Btc : Eth, i));
        }

        var merged = new List<bool>();
        for (var i = 17; i <= 1_000; i++)
        {
            merged.Add(queue.OfferPrice(Price(i % 2 == 0 ? Btc : Eth, i)));
        }

        Assert.Equal(18, queue.Count);
        Assert.Equal(1_000 - 16 - 2, merged.Count(m => m));
        var sent = Drain(queue);
        Assert.Equal(18, sent.Count);
        Assert.All(sent.Take(16), p => Assert.False(p.Conflated));
        var held = sent.Skip(16).ToDictionary(p => p.Instrument);
        Assert.Equal((1_000L, 18L, true), (held[Btc].Update.Sequence, held[Btc].Update.FirstSequence, held[Btc].Conflated));
        Assert.Equal((999L, 17L, true), (held[Eth].Update.Sequence, held[Eth].Update.FirstSequence, held[Eth].Conflated));
    }

    [Fact]
    public void OfferPrice_ABurstOverTheRate_SendsTheFirstThenTheLatestWhenTheNextSlotComes()
    {
        var clock = new ManualTimeProvider();
        var queue = new OutboundQueue(16, clock);
        queue.SetRate(Btc, 2);

        for (var i = 1; i <= 5; i++)
        {
            queue.OfferPrice(Price(Btc, i));
        }

        var first = Drain(queue);
        clock.Advance(TimeSpan.FromMilliseconds(499));
        var early = Drain(queue);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        var due = Drain(queue);

        Assert.Equal([1L], first.Select(p => p.Update.Sequence));
        Assert.Empty(early);
        var latest = Assert.Single(due);
        Assert.Equal((5L, 2L, true), (latest.Update.Sequence, latest.Update.FirstSequence, latest.Conflated));
    }

    [Fact]
    public async Task WaitAsync_AHeldUpdate_WakesWhenItsSlotComes()
    {
        var clock = new ManualTimeProvider();
        var queue = new OutboundQueue(16, clock);
        queue.SetRate(Btc, 1);
        queue.OfferPrice(Price(Btc, 1));
        Drain(queue);
        queue.OfferPrice(Price(Btc, 2));

        var waiting = queue.WaitAsync(CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));
        await waiting.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal([2L], Drain(queue).Select(p => p.Update.Sequence));
    }

    [Fact]
    public void Enqueue_TwiceTheCapacity_RefusesAndCloseCancelsWaitingMarkers()
    {
        var queue = new OutboundQueue(16, new ManualTimeProvider());
        var marker = new MarkerOut();
        queue.Enqueue(marker);
        var accepted = Enumerable.Range(0, 40).Count(_ => queue.Enqueue(new BarOut(null!)));

        queue.Close();

        Assert.Equal(31, accepted);
        Assert.True(marker.Written.Task.IsCanceled);
        Assert.False(queue.OfferPrice(Price(Btc, 1)));
        Assert.Equal(0, queue.Count);
    }

    private static List<PriceOut> Drain(OutboundQueue queue)
    {
        var batch = new List<Outbound>();
        queue.Take(batch, int.MaxValue);
        return [.. batch.Cast<PriceOut>()];
    }

    private static PriceOut Price(InstrumentKey instrument, long sequence) =>
        new(instrument, new PriceUpdated(instrument.Exchange, instrument.Symbol, 100m + sequence, 1m, DateTimeOffset.UnixEpoch, sequence, 1, sequence), conflated: false);
}
