using PriceActors.Grains;
using PriceActors.Silo.RabbitMq;

namespace PriceActors.Tests.Silo.RabbitMq;

public sealed class TickRoundsTests
{
    private static readonly InstrumentKey A = TestTicks.Instrument(1);
    private static readonly InstrumentKey B = TestTicks.Instrument(2);

    [Fact]
    public void Take_AnInstrumentWithSeveralBatchesWaiting_PutsItInOneMessageOfTheRound()
    {
        var rounds = new TickRounds(partitionCount: 1, ticksPerMessage: 100, maxMessages: 8);
        rounds.Add(new PendingTickBatch(TestTicks.Batch(A, 1, 60)));
        rounds.Add(new PendingTickBatch(TestTicks.Batch(A, 61, 60)));
        rounds.Add(new PendingTickBatch(TestTicks.Batch(B, 1, 60)));

        var first = rounds.Take(2);
        var second = rounds.Take(2);

        Assert.Equal(["A 1-100", "B 1-60"], first.Select(Describe));
        Assert.Equal(["A 101-120"], second.Select(Describe));
        Assert.Empty(rounds.Take(2));
        Assert.Equal(0, rounds.PendingTicks);
    }

    [Fact]
    public void Take_AfterAMessageFailed_RetriesItBeforeItsInstrumentsLaterTicksAndLetsOthersBy()
    {
        var rounds = new TickRounds(partitionCount: 1, ticksPerMessage: 100, maxMessages: 8);
        rounds.Add(new PendingTickBatch(TestTicks.Batch(A, 1, 50)));
        var failed = rounds.Take(2);
        rounds.Add(new PendingTickBatch(TestTicks.Batch(A, 51, 50)));
        rounds.Add(new PendingTickBatch(TestTicks.Batch(B, 1, 50)));

        rounds.Requeue(failed);

        Assert.Equal(["A 1-50", "B 1-50"], rounds.Take(2).Select(Describe));
        Assert.Equal(["A 51-100"], rounds.Take(2).Select(Describe));
    }

    [Fact]
    public void Confirm_ABatchSplitOverMessages_CompletesItWithItsLastPart()
    {
        var rounds = new TickRounds(partitionCount: 1, ticksPerMessage: 100, maxMessages: 8);
        var batch = new PendingTickBatch(TestTicks.Batch(A, 1, 250));
        rounds.Add(batch);
        var completed = new List<PendingTickBatch>();

        foreach (var message in Enumerable.Range(0, 3).SelectMany(_ => rounds.Take(2)))
        {
            Assert.Empty(completed);
            TickRounds.Confirm(message, completed.Add);
        }

        Assert.Same(batch, Assert.Single(completed));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void Rounds_BrokerNackingMessagesAtRandom_PairsTakeEveryTradeOnceInOrder(int seed)
    {
        // The broker of the model enqueues a round's messages in order, confirms or nacks each independently,
        // and sometimes enqueues one whose confirm is lost; a pair takes only trades newer than its last.
        var random = new Random(seed);
        var instruments = Enumerable.Range(1, 6).Select(TestTicks.Instrument).ToArray();
        var rounds = new TickRounds(partitionCount: 2, ticksPerMessage: 20, maxMessages: 8);
        var published = new long[instruments.Length];
        var taken = instruments.ToDictionary(i => i, _ => new List<long>());
        var batches = new List<PendingTickBatch>();
        var completed = new HashSet<PendingTickBatch>();

        for (var step = 0; step < 400 || rounds.PendingTicks > 0 || completed.Count < batches.Count; step++)
        {
            Assert.True(step < 10_000, "the rounds do not drain");
            for (var n = step < 400 ? random.Next(4) : 0; n > 0; n--)
            {
                var i = random.Next(instruments.Length);
                var count = random.Next(1, 45);
                var batch = new PendingTickBatch(TestTicks.Batch(instruments[i], published[i] + 1, count));
                published[i] += count;
                batches.Add(batch);
                rounds.Add(batch);
            }

            var failed = new List<OutgoingTickMessage>();
            foreach (var message in rounds.Take(2))
            {
                var confirmed = step >= 400 || random.NextDouble() < 0.6;
                if (confirmed || random.NextDouble() < 0.3)
                {
                    foreach (var run in TickCodec.Decode(message.Body))
                    {
                        var trades = taken[run.Instrument];
                        trades.AddRange(run.Ticks.ToArray().Select(t => t.TradeId).Where(id => id > (trades.Count == 0 ? 0 : trades[^1])));
                    }
                }

                if (confirmed)
                {
                    TickRounds.Confirm(message, item => Assert.True(completed.Add(item)));
                }
                else
                {
                    failed.Add(message);
                }
            }

            rounds.Requeue(failed);
        }

        for (var i = 0; i < instruments.Length; i++)
        {
            Assert.Equal(Enumerable.Range(1, (int)published[i]).Select(id => (long)id), taken[instruments[i]]);
        }
    }

    private static string Describe(OutgoingTickMessage message) =>
        string.Join(", ", TickCodec.Decode(message.Body).Select(run =>
            $"{(run.Instrument == A ? "A" : "B")} {run.Ticks.Span[0].TradeId}-{run.Ticks.Span[^1].TradeId}"));
}
