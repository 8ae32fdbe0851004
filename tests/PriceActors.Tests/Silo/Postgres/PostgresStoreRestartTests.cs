using PriceActors.Grains;
using PriceActors.Grains.Storage;
using PriceActors.Silo.Postgres;

namespace PriceActors.Tests.Silo.Postgres;

/// <summary>Restarts the shared PostgreSQL, so it runs alone (its own collection, not in parallel with others).</summary>
[Collection(PostgresRestartCollection.Name)]
public sealed class PostgresStoreRestartTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private static readonly DateTimeOffset Today = new(DateTime.UtcNow.Date, TimeSpan.Zero);

    [Fact]
    public async Task AppendTicksAsync_DuringAndAfterAPostgresRestart_FailsCleanlyThenSucceedsWithoutANewStore()
    {
        var instrument = InstrumentKey.Parse("restart:PG");
        await using var store = database.CreateStore();
        await store.ClaimAsync(instrument, CancellationToken.None);
        var ticks = Enumerable.Range(1, 30).Select(i => new SequencedTick(i, new Tick(instrument, i, 1m, i, Today.AddHours(11).AddSeconds(i), Today.AddHours(11).AddSeconds(i)))).ToArray();
        await store.AppendTicksAsync(instrument, 1, ticks[..10], CancellationToken.None);

        var restart = Task.Run(PostgresServer.Restart);
        var outage = await FirstFailureAsync(store, instrument, ticks[10..20], restart);
        await restart.WaitAsync(TimeSpan.FromMinutes(2));
        await RetryAsync(() => store.AppendTicksAsync(instrument, 1, ticks[10..20], CancellationToken.None));
        await store.AppendTicksAsync(instrument, 1, ticks[20..], CancellationToken.None);
        var history = await store.LoadAsync(instrument, Today, CancellationToken.None);

        Assert.NotNull(outage);
        Assert.IsNotType<PairFencedException>(outage);
        Assert.Equal(ticks, history!.Ticks);
        Assert.Equal(30, history.LastSequence);
    }

    // Appends while the server restarts until one fails; the restart takes ~1 s, each failing append milliseconds.
    private static async Task<Exception?> FirstFailureAsync(PostgresStore store, InstrumentKey instrument, SequencedTick[] ticks, Task restart)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                await store.AppendTicksAsync(instrument, 1, ticks, CancellationToken.None);
            }
            catch (Exception error)
            {
                return error;
            }

            if (restart.IsCompleted)
            {
                return null;
            }
        }

        return null;
    }

    // The pool may still hand out connections the restart killed, so the first attempts after it can fail too.
    private static async Task RetryAsync(Func<ValueTask> append)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                await append();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
