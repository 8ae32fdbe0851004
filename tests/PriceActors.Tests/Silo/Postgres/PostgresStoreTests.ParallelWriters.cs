using PriceActors.Grains;
using PriceActors.Silo.Postgres;

namespace PriceActors.Tests.Silo.Postgres;

public sealed partial class PostgresStoreTests
{
    [Fact]
    public async Task AppendTicksAsync_FourWritersAndAppendsNotAwaitedInBetween_EachInstrumentCommitsInAppendOrder()
    {
        const int Instruments = 25, Appends = 12, PerAppend = 5;
        var instruments = Enumerable.Range(0, Instruments).Select(i => InstrumentKey.Create("order", $"P{i}")).ToArray();

        // Small flushes, so each writer commits many transactions.
        await using var store = database.CreateStore(o => (o.Writers, o.FlushInterval, o.MaxTicksPerFlush) = (4, TimeSpan.Zero, 3 * PerAppend));
        await ClaimAllAsync(store, instruments);
        var ticks = instruments.Select(i => Ticks(i, Today.AddHours(10), 1, Appends * PerAppend)).ToArray();

        // Every instrument's appends are queued one after the other without waiting for the commits in
        // between (as after a cancelled wait), interleaved with the other instruments'.
        var pending = new List<Task>();
        for (var a = 0; a < Appends; a++)
        {
            for (var i = 0; i < Instruments; i++)
            {
                pending.Add(store.AppendTicksAsync(instruments[i], 1, ticks[i].AsMemory(a * PerAppend, PerAppend), CancellationToken.None).AsTask());
            }
        }

        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(30));

        // A transaction's id is taken at its first write (the fence row lock), so on one connection later
        // flushes have larger ids: a tick committed by a later flush than a newer tick of its instrument shows.
        foreach (var instrument in instruments)
        {
            var order = await ReadCommitOrderAsync(instrument);
            Assert.Equal(Enumerable.Range(1, Appends * PerAppend).Select(s => (long)s), order.Select(o => o.Sequence));
            for (var n = 1; n < order.Count; n++)
            {
                Assert.True(order[n].Transaction >= order[n - 1].Transaction, $"{instrument}: sequence {order[n].Sequence} committed before {order[n - 1].Sequence}");
            }

            Assert.Equal((long)(Appends * PerAppend), (await store.LoadAsync(instrument, Today, CancellationToken.None))!.LastSequence);
        }

        var transactions = await database.ScalarAsync<long>("SELECT count(DISTINCT xmin::text) FROM ticks WHERE exchange = 'order'");
        output.WriteLine($"{Instruments * Appends} appends committed in {transactions} transactions");
        Assert.True(transactions > 4 * Appends, "too few flushes to show anything about order across them");
    }

    [Fact]
    public async Task ClaimAsync_WhileFourWritersFlushTheOldOwnersAppends_NothingCommitsAfterTheClaimAndEveryAppendAfterItIsRefused()
    {
        const int Instruments = 16;
        var instruments = Enumerable.Range(0, Instruments).Select(i => InstrumentKey.Create("fence", $"W{i}")).ToArray();
        await using var old = database.CreateStore(o => (o.Writers, o.FlushInterval) = (4, TimeSpan.Zero));
        await ClaimAllAsync(old, instruments);

        // Each instrument appends one batch after the other, as its pair actor would, until it is refused.
        var appended = new long[Instruments];
        var errors = new PairFencedException?[Instruments];
        var appending = instruments.Select((instrument, i) => Task.Run(async () =>
        {
            for (long next = 1; ; next += 5)
            {
                try
                {
                    await old.AppendTicksAsync(instrument, 1, Ticks(instrument, Today.AddHours(11), next, 5), CancellationToken.None);
                    appended[i] = next + 4;
                }
                catch (PairFencedException error)
                {
                    errors[i] = error;
                    return;
                }
            }
        })).ToArray();

        await WaitUntilAsync(async () => await database.ScalarAsync<long>("SELECT count(*) FROM ticks WHERE exchange = 'fence'") >= 2000);

        // Another silo takes every pair over at once.
        var newOwner = new PairFence(database.DataSource, "silo-b");
        var epochs = await Task.WhenAll(instruments.Select(i => newOwner.ClaimAsync(i, CancellationToken.None).AsTask()));
        var atClaim = await database.ScalarAsync<long>("SELECT count(*) FROM ticks WHERE exchange = 'fence'");
        await Task.WhenAll(appending).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(atClaim, await database.ScalarAsync<long>("SELECT count(*) FROM ticks WHERE exchange = 'fence'"));
        for (var i = 0; i < Instruments; i++)
        {
            var key = newOwner.ClaimOf(instruments[i])!.Value.Key;
            Assert.Equal((instruments[i], key, epochs[i] - 1, epochs[i]), (errors[i]!.Instrument, errors[i]!.Key, errors[i]!.Token, errors[i]!.Current));

            // Exactly the acknowledged appends are stored, with the position: the refused flushes wrote nothing.
            var order = await ReadCommitOrderAsync(instruments[i]);
            Assert.Equal(Enumerable.Range(1, (int)appended[i]).Select(s => (long)s), order.Select(o => o.Sequence));
            var position = await database.ScalarAsync<long>(
                "SELECT coalesce((SELECT last_sequence FROM pair_state WHERE exchange = 'fence' AND symbol = $1), 0)", instruments[i].Symbol);
            Assert.Equal(appended[i], position);
        }
    }

    private async Task<List<(long Sequence, long Transaction)>> ReadCommitOrderAsync(InstrumentKey instrument)
    {
        await using var command = database.DataSource.CreateCommand(
            "SELECT sequence, xmin::text::bigint FROM ticks WHERE exchange = $1 AND symbol = $2 ORDER BY sequence");
        command.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = instrument.Exchange });
        command.Parameters.Add(new Npgsql.NpgsqlParameter<string> { TypedValue = instrument.Symbol });
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(long, long)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetInt64(0), reader.GetInt64(1)));
        }

        return rows;
    }
}
