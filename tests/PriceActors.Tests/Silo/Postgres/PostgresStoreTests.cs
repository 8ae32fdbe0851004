using PriceActors.Grains;
using PriceActors.Grains.Storage;
using PriceActors.Silo.Postgres;
using Xunit.Abstractions;

namespace PriceActors.Tests.Silo.Postgres;

public sealed partial class PostgresStoreTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    private static readonly DateTimeOffset Today = new(DateTime.UtcNow.Date, TimeSpan.Zero);

    [Fact]
    public async Task LoadAsync_NothingStored_ReturnsNull()
    {
        await using var store = database.CreateStore();

        Assert.Null(await store.LoadAsync(InstrumentKey.Parse("nowhere:NONE"), Today, CancellationToken.None));
    }

    [Fact]
    public async Task AppendTicksAsync_ThenLoadAsync_RoundTripsExactDecimalsTimesAndSequences()
    {
        var instrument = InstrumentKey.Parse("test:ROUNDTRIP");
        await using var store = await OwnerAsync(instrument);
        var start = Today.AddHours(1).AddTicks(1234567); // sub-microsecond digits on purpose
        SequencedTick[] ticks =
        [
            new(1, new Tick(instrument, 0.00000001m, 12345678.12345678m, 100, start, start.AddTicks(7))),
            new(2, new Tick(instrument, 12345678.12345678m, 0.00000001m, 101, start.AddTicks(1), start.AddTicks(9))),
            new(3, new Tick(instrument, 79228162514264.337593543950335m, 1.10m, 105, start.AddSeconds(1), start.AddSeconds(2))),
        ];

        await store.AppendTicksAsync(instrument, 42, ticks.AsMemory(0, 2), CancellationToken.None);
        await store.AppendTicksAsync(instrument, 42, ticks.AsMemory(2), CancellationToken.None);
        var history = await store.LoadAsync(instrument, start, CancellationToken.None);

        Assert.NotNull(history);
        Assert.Equal(ticks, history.Ticks);
        Assert.Equal("1.10", history.Ticks[2].Tick.Quantity.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal((42L, 3L, 105L), (history.Epoch, history.LastSequence, history.LastTradeId));
        Assert.Equal(ticks[2], history.Last);
        Assert.Empty(history.Bars);
    }

    [Fact]
    public async Task LoadAsync_SinceBetweenTicks_ReturnsOnlyTicksAtOrAfterIt()
    {
        var instrument = InstrumentKey.Parse("test:SINCE");
        await using var store = await OwnerAsync(instrument);
        var ticks = Ticks(instrument, Today.AddHours(2), 1, 10);

        await store.AppendTicksAsync(instrument, 1, ticks, CancellationToken.None);
        var history = await store.LoadAsync(instrument, ticks[4].Tick.ExchangeTime.AddTicks(-1), CancellationToken.None);

        Assert.Equal(ticks[4..], history!.Ticks);
        Assert.Equal(ticks[^1], history.Last);
    }

    [Fact]
    public async Task AppendTicksAsync_RedeliveredTicks_AreStoredOnce()
    {
        var instrument = InstrumentKey.Parse("test:REDELIVERED");
        await using var store = await OwnerAsync(instrument);
        var ticks = Ticks(instrument, Today.AddHours(3), 1, 20);

        await store.AppendTicksAsync(instrument, 1, ticks[..15], CancellationToken.None);
        await Task.WhenAll(
            store.AppendTicksAsync(instrument, 1, ticks[5..], CancellationToken.None).AsTask(),
            store.AppendTicksAsync(instrument, 1, ticks[10..], CancellationToken.None).AsTask());
        var history = await store.LoadAsync(instrument, Today, CancellationToken.None);

        Assert.Equal(ticks, history!.Ticks);
        Assert.Equal(20L, await database.ScalarAsync<long>("SELECT count(*) FROM ticks WHERE symbol = 'REDELIVERED'"));
        Assert.Equal(20, history.LastSequence);
    }

    [Fact]
    public async Task LoadTicksAsync_SinceATime_ReturnsTheEpochsTicksInSequenceOrderUpToTheLimit()
    {
        var instrument = InstrumentKey.Parse("test:HISTORY");
        await using var store = await OwnerAsync(instrument);
        var start = Today.AddHours(6);
        var older = Ticks(instrument, start, 1, 30);
        await store.AppendTicksAsync(instrument, 7, older[..10], CancellationToken.None);
        await store.AppendTicksAsync(instrument, 7, older[10..20], CancellationToken.None);
        await store.AppendTicksAsync(instrument, 7, older[20..], CancellationToken.None);
        await store.AppendTicksAsync(instrument, 8, Ticks(instrument, start.AddHours(1), 1, 5), CancellationToken.None);

        var since = older[12].Tick.ExchangeTime;
        var some = await store.LoadTicksAsync(instrument, 7, since, 10, CancellationToken.None);
        var rest = await store.LoadTicksAsync(instrument, 7, since, 1000, CancellationToken.None);
        var later = await store.LoadTicksAsync(instrument, 8, start, 1000, CancellationToken.None);

        Assert.Equal(older[12..22], some);
        Assert.Equal(older[12..], rest);
        Assert.Equal([1L, 2L, 3L, 4L, 5L], later.Select(t => t.Sequence));
    }

    [Fact]
    public async Task LoadBarsAsync_ARangeOfOneEpoch_ReturnsItsBarsOldestFirstUpToTheLimit()
    {
        var instrument = InstrumentKey.Parse("test:RANGE");
        await using var store = await OwnerAsync(instrument);
        var start = Today.AddHours(5);
        MinuteBar Bar(int minute, decimal close) => new("test", "RANGE", start.AddMinutes(minute), 1m, close, 1m, close, 1m, 1m, 1, 1m, minute + 1, true);
        foreach (var minute in new[] { 3, 0, 1, 2, 4 })
        {
            await store.SaveBarAsync(Bar(minute, 10m + minute), 7, CancellationToken.None);
        }

        await store.SaveBarAsync(Bar(2, 99m), 6, CancellationToken.None);

        var range = await store.LoadBarsAsync(instrument, 7, start.AddMinutes(1), start.AddMinutes(4), 10, CancellationToken.None);
        var limited = await store.LoadBarsAsync(instrument, 7, start, start.AddHours(1), 2, CancellationToken.None);
        var other = await store.LoadBarsAsync(instrument, 6, start, start.AddHours(1), 10, CancellationToken.None);

        Assert.Equal([11m, 12m, 13m], range.Select(b => b.Close));
        Assert.Equal([start, start.AddMinutes(1)], limited.Select(b => b.Minute));
        Assert.Equal([99m], other.Select(b => b.Close));
    }

    [Fact]
    public async Task SaveBarAsync_SameMinuteTwice_UpsertsOneRowReadableWithTheSeedColumns()
    {
        var instrument = InstrumentKey.Parse("test:BARS");
        await using var store = await OwnerAsync(instrument);
        var minute = Today.AddHours(4);
        var first = new MinuteBar("test", "BARS", minute, 10m, 12m, 9m, 11m, 10.5m, 10.4m, 4, 2.5m, 4, true);
        var replaced = first with { High = 13m, Average = 10.123456789012m, Count = 5, LastSequence = 5 };

        await store.SaveBarAsync(first, 1, CancellationToken.None);
        await store.SaveBarAsync(replaced, 1, CancellationToken.None);
        await store.SaveBarAsync(replaced, 1, CancellationToken.None);
        var history = await store.LoadAsync(instrument, minute, CancellationToken.None);

        Assert.Equal(replaced, Assert.Single(history!.Bars));
        Assert.Equal(0L, history.Epoch); // bars only: no position stored
        Assert.Equal(1L, await database.ScalarAsync<long>("SELECT count(*) FROM minute_bars WHERE pair_name = 'BARS'"));
        Assert.Equal(
            "BARS test 10.123456789012 9 13",
            await database.ScalarAsync<string>(
                "SELECT concat_ws(' ', pair_name, exchange, average_price, min_price, max_price) FROM minute_bars WHERE pair_name = 'BARS' AND \"timestamp\" = $1",
                minute.UtcDateTime));
    }

    [Fact]
    public async Task AppendTicksAsync_ManyInstrumentsAtOnce_AllDurableThroughGroupCommit()
    {
        await using var store = database.CreateStore(o => o.FlushInterval = TimeSpan.FromMilliseconds(5));
        var instruments = Enumerable.Range(0, 200).Select(i => InstrumentKey.Create("many", $"S{i}")).ToArray();
        await ClaimAllAsync(store, instruments);
        const int batches = 50, perBatch = 50;
        var started = System.Diagnostics.Stopwatch.StartNew();

        await Task.WhenAll(instruments.Select(instrument => Task.Run(async () =>
        {
            for (var b = 0; b < batches; b++)
            {
                var ticks = Ticks(instrument, Today.AddHours(5).AddSeconds(b), (b * perBatch) + 1, perBatch);
                await store.AppendTicksAsync(instrument, 7, ticks, CancellationToken.None);
            }
        })));
        var elapsed = started.Elapsed;

        long expected = instruments.Length * batches * perBatch;
        Assert.Equal(expected, await database.ScalarAsync<long>("SELECT count(*) FROM ticks WHERE exchange = 'many'"));
        Assert.Equal(
            (long)instruments.Length,
            await database.ScalarAsync<long>($"SELECT count(*) FROM pair_state WHERE exchange = 'many' AND last_sequence = {batches * perBatch}"));
        Assert.Equal(new StoreStatistics("postgres", instruments.Length, expected, 0, expected, 0), store.GetStatistics());
        output.WriteLine($"group commit: {expected} ticks from {instruments.Length} instruments in {elapsed.TotalMilliseconds:0} ms = {expected / elapsed.TotalSeconds:0} ticks/s");
    }

    /// <summary>
    /// Runs <paramref name="lockingSelect"/> (a <c>SELECT ... FOR UPDATE</c>) in a transaction of its own and keeps its
    /// row locks until released, so a writer's flush that reads those rows waits inside its transaction.
    /// </summary>
    private async Task<HeldRows> HoldRowsAsync(string lockingSelect)
    {
        var connection = await database.DataSource.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using (var command = new Npgsql.NpgsqlCommand(lockingSelect, connection, transaction))
        {
            await command.ExecuteScalarAsync();
        }

        return new HeldRows(connection, transaction);
    }

    /// <summary>Holds the pair's fence row exclusively, so a writer's fence check of the pair waits inside its flush.</summary>
    private async Task<HeldRows> HoldFenceRowAsync(InstrumentKey instrument) =>
        await HoldRowsAsync($"SELECT 1 FROM partition_owners WHERE partition = {await database.FenceKeyOfAsync(instrument)} FOR UPDATE");

    /// <summary>A store of its own (owner <c>silo-a</c>) that claimed the instrument's pair.</summary>
    private async Task<PostgresStore> OwnerAsync(InstrumentKey instrument, Action<PostgresOptions>? configure = null, TimeProvider? time = null)
    {
        var store = database.CreateStore(configure, time);
        await store.ClaimAsync(instrument, CancellationToken.None);
        return store;
    }

    private static Task ClaimAllAsync(PostgresStore store, IEnumerable<InstrumentKey> instruments) =>
        Task.WhenAll(instruments.Select(i => store.ClaimAsync(i, CancellationToken.None).AsTask()));

    private static SequencedTick[] Ticks(InstrumentKey instrument, DateTimeOffset start, long firstSequence, int count) =>
        [.. Enumerable.Range(0, count).Select(i => new SequencedTick(
            firstSequence + i,
            new Tick(instrument, 100m + (i * 0.01m), 0.5m + i, firstSequence + i + 1000, start.AddMilliseconds(i), start.AddMilliseconds(i + 1))))];

    private sealed class HeldRows(Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlTransaction transaction) : IAsyncDisposable
    {
        public Task ReleaseAsync() => transaction.RollbackAsync();

        public async ValueTask DisposeAsync()
        {
            await transaction.DisposeAsync();
            await connection.DisposeAsync();
        }
    }
}
