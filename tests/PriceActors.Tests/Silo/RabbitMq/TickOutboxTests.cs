using PriceActors.Grains;
using PriceActors.Grains.Streams;
using PriceActors.Silo.RabbitMq;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Silo.RabbitMq;

public sealed class TickOutboxTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(2);
    private readonly ManualTimeProvider time = new();

    [Fact]
    public void FlushDelay_LessThanAMessage_WhatIsLeftOfTheIntervalSinceTheOldestTick()
    {
        var outbox = NewOutbox(partitions: 1, ticksPerMessage: 10);
        Assert.Equal(TimeSpan.Zero, outbox.FlushDelay(Interval));

        outbox.Add(Pending(TestTicks.Instrument(0), 1, 3));
        time.Advance(TimeSpan.FromMilliseconds(0.5));
        outbox.Add(Pending(TestTicks.Instrument(0), 4, 3));

        Assert.Equal(TimeSpan.FromMilliseconds(1.5), outbox.FlushDelay(Interval));
        time.Advance(TimeSpan.FromMilliseconds(1.5));
        Assert.Equal(TimeSpan.Zero, outbox.FlushDelay(Interval));
    }

    [Fact]
    public void FlushDelay_AFullMessage_Zero()
    {
        var outbox = NewOutbox(partitions: 1, ticksPerMessage: 10);

        outbox.Add(Pending(TestTicks.Instrument(0), 1, 10));

        Assert.Equal(TimeSpan.Zero, outbox.FlushDelay(Interval));
    }

    [Fact]
    public void FlushDelay_TakenAndNewTicks_CountsFromTheNewOldest()
    {
        var outbox = NewOutbox(partitions: 1, ticksPerMessage: 10);
        outbox.Add(Pending(TestTicks.Instrument(0), 1, 3));
        time.Advance(TimeSpan.FromMilliseconds(5));
        Assert.Single(outbox.Take(10));

        outbox.Add(Pending(TestTicks.Instrument(0), 4, 3));

        Assert.Equal(Interval, outbox.FlushDelay(Interval));
    }

    [Fact]
    public void FlushDelay_FailedMessagesWaiting_Zero()
    {
        var outbox = NewOutbox(partitions: 1, ticksPerMessage: 10);
        outbox.Add(Pending(TestTicks.Instrument(0), 1, 3));
        var failed = outbox.Take(10);
        outbox.Add(Pending(TestTicks.Instrument(0), 4, 3));

        outbox.Requeue(failed);

        Assert.Equal(TimeSpan.Zero, outbox.FlushDelay(Interval));
    }

    [Fact]
    public void Take_SeveralPartitions_OneMessageEachInTurnUpToTheMax()
    {
        var outbox = NewOutbox(partitions: 2, ticksPerMessage: 10);
        var (a, b) = InstrumentsInBothPartitions(2);
        outbox.Add(Pending(a, 1, 25));
        outbox.Add(Pending(b, 1, 5));

        var first = outbox.Take(2);
        var rest = outbox.Take(10);

        Assert.Equal([(a, 1L, 10), (b, 1L, 5)], first.Select(Summary));
        Assert.Equal([(a, 11L, 10), (a, 21L, 5)], rest.Select(Summary));
    }

    [Fact]
    public void Take_OneAtATime_PartitionsTakeTurns()
    {
        var outbox = NewOutbox(partitions: 2, ticksPerMessage: 10);
        var (a, b) = InstrumentsInBothPartitions(2);
        outbox.Add(Pending(a, 1, 30));
        outbox.Add(Pending(b, 1, 30));

        var taken = Enumerable.Range(0, 4).SelectMany(_ => outbox.Take(1)).Select(Summary).ToList();

        Assert.Equal([(a, 1L, 10), (b, 1L, 10), (a, 11L, 10), (b, 11L, 10)], taken);
    }

    [Fact]
    public void Take_ARequeuedMessage_ComesBackBeforeItsPartitionsNewTicksInPublishOrder()
    {
        var outbox = NewOutbox(partitions: 1, ticksPerMessage: 10);
        var instrument = TestTicks.Instrument(0);
        outbox.Add(Pending(instrument, 1, 30));
        var published = outbox.Take(2);
        outbox.Add(Pending(instrument, 31, 10));

        outbox.Requeue(published);

        Assert.Equal([(instrument, 1L, 10), (instrument, 11L, 10), (instrument, 21L, 10), (instrument, 31L, 10)], outbox.Take(10).Select(Summary));
    }

    [Fact]
    public void Held_PartlyTakenAndRequeued_EveryBatchNotConfirmed()
    {
        var outbox = NewOutbox(partitions: 1, ticksPerMessage: 10);
        var (first, second) = (Pending(TestTicks.Instrument(0), 1, 15), Pending(TestTicks.Instrument(0), 16, 5));
        outbox.Add(first);
        outbox.Add(second);
        outbox.Requeue(outbox.Take(1));

        Assert.Equal([first, second], outbox.Held().Distinct());
        Assert.Equal(2, first.OpenParts);
    }

    private static (InstrumentKey Instrument, long FirstTradeId, int Ticks) Summary(OutgoingTickMessage message)
    {
        var batch = Assert.Single(TickCodec.Decode(message.Body));
        return (batch.Instrument, batch.Ticks.Span[0].TradeId, batch.Ticks.Length);
    }

    private static PendingTickBatch Pending(InstrumentKey instrument, long from, int count) => new(TestTicks.Batch(instrument, from, count));

    private static (InstrumentKey, InstrumentKey) InstrumentsInBothPartitions(int partitions)
    {
        var all = Enumerable.Range(0, 100).Select(TestTicks.Instrument).ToArray();
        return (all.First(i => PartitionMap.PartitionOf(i, partitions) == 0), all.First(i => PartitionMap.PartitionOf(i, partitions) == 1));
    }

    private TickOutbox NewOutbox(int partitions, int ticksPerMessage) =>
        new(partitions, new RabbitMqOptions { Uri = new Uri("amqp://localhost/"), TicksPerMessage = ticksPerMessage }, time);
}
