using Npgsql;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Silo.Postgres;

/// <summary>
/// The ADO.NET stream poll of <c>sql/012_orleans_stream_order.sql</c>: a queue's messages are handed out in MessageId
/// order and none while an older one is held, whether its agent is alive, died or gave the queue up, and when two agents
/// poll at once. Messages go in through the provider's own enqueue query; the poll and the confirmation are called as
/// the provider's queries call them. Each test has queues of its own.
/// </summary>
public sealed class OrleansStreamOrderTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const string ServiceId = "order-tests";
    private const string ProviderId = "ticks";
    private const int MaxAttempts = 5;
    private const int LongVisibility = 600;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Dequeue_OlderBatchHeldByAnotherAgent_NothingUntilItIsConfirmedThenTheNewerInOrder()
    {
        var queue = NewQueue();
        var older = await EnqueueAsync(queue, 3);
        var taken = await PollAsync(queue, 3, LongVisibility);
        var newer = await EnqueueAsync(queue, 3);

        var whileHeld = await PollAsync(queue, 3, LongVisibility);
        await SettleAsync(queue, taken.Select(m => m.Receipt));
        var afterConfirm = await PollAsync(queue, 3, LongVisibility);

        Assert.Equal(older, taken.Select(m => m.MessageId));
        Assert.Empty(whileHeld);
        Assert.Equal(newer, afterConfirm.Select(m => m.MessageId));
    }

    [Fact]
    public async Task Dequeue_AgentDiedHoldingABatch_NothingUntilItsVisibilityTimeoutThenAllInOrderTheOldFirst()
    {
        var queue = NewQueue();
        var all = await EnqueueAsync(queue, 6);
        var taken = await PollAsync(queue, 3, visibilityTimeout: 1);

        var beforeTimeout = await PollAsync(queue, 10, LongVisibility);
        var afterTimeout = await Eventually.ValueAsync(() => PollAsync(queue, 10, LongVisibility), m => m.Count > 0, Deadline);

        Assert.Equal(all[..3], taken.Select(m => m.MessageId));
        Assert.Empty(beforeTimeout);
        Assert.Equal(all.Select((id, i) => new Handed(id, i < 3 ? 2 : 1)), afterTimeout);
    }

    [Fact]
    public async Task Dequeue_MessagesReleased_HandedOutAgainFirstOnceNoOlderOneIsHeld()
    {
        var queue = NewQueue();
        var all = await EnqueueAsync(queue, 6);
        var taken = await PollAsync(queue, 3, LongVisibility);

        // The first is delivered and the third released; the second is still held.
        await SettleAsync(queue, [taken[0].Receipt, taken[2].Release]);
        var whileSecondHeld = await PollAsync(queue, 10, LongVisibility);
        await SettleAsync(queue, [taken[1].Release]);
        var afterRelease = await PollAsync(queue, 10, LongVisibility);

        Assert.Empty(whileSecondHeld);
        Assert.Equal(all[1..].Select((id, i) => new Handed(id, i < 2 ? 2 : 1)), afterRelease);
    }

    [Fact]
    public async Task Dequeue_TwoAgentsPollingAtOnce_OneBatchARoundAndTheMessagesHandedOutInOrder()
    {
        var queue = NewQueue();
        var all = await EnqueueAsync(queue, 250);
        var handedOut = new List<long>();

        // Batches of different sizes, so that a poll skipping past the other's batch would find rows to take.
        for (var round = 0; round < 50; round++)
        {
            var polls = await Task.WhenAll(PollAsync(queue, 3, LongVisibility), PollAsync(queue, 5, LongVisibility));

            var batch = Assert.Single(polls, p => p.Count > 0);
            handedOut.AddRange(batch.Select(m => m.MessageId));
            Assert.Equal(all.Take(handedOut.Count), handedOut);
            await SettleAsync(queue, batch.Select(m => m.Receipt));
        }

        Assert.InRange(handedOut.Count, 150, 250);
    }

    [Fact]
    public async Task Dequeue_AnotherQueueHoldsOlderMessages_ThisQueueIsNotHeldUp()
    {
        var (busy, other) = (NewQueue(), NewQueue());
        await EnqueueAsync(busy, 3);
        var taken = await PollAsync(busy, 3, LongVisibility);
        await EnqueueAsync(busy, 3);
        var others = await EnqueueAsync(other, 3);

        var fromOther = await PollAsync(other, 10, LongVisibility);
        var fromBusy = await PollAsync(busy, 10, LongVisibility);

        Assert.Equal(3, taken.Count);
        Assert.Equal(others, fromOther.Select(m => m.MessageId));
        Assert.Empty(fromBusy);
    }

    private static string NewQueue() => "queue-" + Guid.NewGuid().ToString("N")[..8];

    // What the provider's producer runs (QueueStreamMessageKey); returns the MessageIds in order.
    private async Task<long[]> EnqueueAsync(string queue, int count)
    {
        var enqueue = await database.ScalarAsync<string>("SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'QueueStreamMessageKey'");
        var ids = new long[count];
        for (var i = 0; i < count; i++)
        {
            await using var command = database.DataSource.CreateCommand(enqueue);
            command.Parameters.AddWithValue("ServiceId", ServiceId);
            command.Parameters.AddWithValue("ProviderId", ProviderId);
            command.Parameters.AddWithValue("QueueId", queue);
            command.Parameters.AddWithValue("ExpiryTimeout", 600);
            command.Parameters.AddWithValue("Payload", new byte[] { (byte)i });
            await using var reader = await command.ExecuteReaderAsync();
            Assert.True(await reader.ReadAsync());
            ids[i] = reader.GetInt64(reader.GetOrdinal("MessageId"));
        }

        return ids;
    }

    private async Task<List<Handed>> PollAsync(string queue, int maxCount, int visibilityTimeout)
    {
        await using var command = database.DataSource.CreateCommand(
            "SELECT MessageId, Dequeued FROM orleans_stream_dequeue($1, $2, $3, $4, $5, $6, $7, $8, $9)");
        foreach (var value in new object[] { ServiceId, ProviderId, queue, maxCount, MaxAttempts, visibilityTimeout, 60, 10, 100 })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        var handed = new List<Handed>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            handed.Add(new Handed(reader.GetInt64(0), reader.GetInt32(1)));
        }

        return handed;
    }

    // Receipts as the provider sends them, "MessageId:Dequeued" (negative to release); every one must settle its message.
    private async Task SettleAsync(string queue, IEnumerable<(long MessageId, int Dequeued)> receipts)
    {
        var items = receipts.Select(r => $"{r.MessageId}:{r.Dequeued}").ToList();
        await using var command = database.DataSource.CreateCommand("SELECT count(*) FROM orleans_stream_confirm($1, $2, $3, $4)");
        foreach (var value in new object[] { ServiceId, ProviderId, queue, string.Join('|', items) })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        Assert.Equal((long)items.Count, await command.ExecuteScalarAsync());
    }

    private readonly record struct Handed(long MessageId, int Dequeued)
    {
        public (long MessageId, int Dequeued) Receipt => (MessageId, Dequeued);

        public (long MessageId, int Dequeued) Release => (MessageId, -Dequeued);
    }
}
