using Microsoft.Extensions.Options;
using PriceActors.Grains;
using PriceActors.Grains.Pairs;
using PriceActors.Grains.Storage;
using PriceActors.Tests.Support;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary>
/// Drives one pair (an <see cref="IPairTarget"/>) through a <see cref="RandomTickScript"/> on a manual clock and
/// records, after every batch, what the pair answered next to what <see cref="PairReference"/> says it should have.
/// Tests assert on the recorded pairs.
/// </summary>
internal sealed class PairSimulation : IAsyncDisposable
{
    public static readonly InstrumentKey Instrument = InstrumentKey.Parse("binance:BTCUSDT");
    public static readonly TimeSpan WindowLength = TimeSpan.FromSeconds(390);
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);
    public static readonly int MaxClosedBars = 7;

    private readonly Random random;
    private readonly IReadOnlyList<ScriptBatch> script;
    private readonly InMemoryStore store = new(Options.Create(new InMemoryStoreOptions()));
    private int next;

    private PairSimulation(int seed, int batches)
    {
        random = new Random(seed);
        var start = new DateTimeOffset(2026, 3, 2, 9, 58, 0, TimeSpan.Zero) + TimeSpan.FromTicks(random.NextInt64(2 * TimeSpan.TicksPerMinute));
        Clock = new ManualTimeProvider(start);
        script = RandomTickScript.Generate(random, Instrument, InstrumentKey.Parse("bybit:BTCUSDT"), start, batches);
        Reference = new PairReference(Instrument, WindowLength, Grace);
        Target = null!;
    }

    /// <summary>Starts a pair under test on a clock, a store and pair options.</summary>
    public delegate Task<IPairTarget> TargetFactory(InstrumentKey instrument, TimeProvider clock, IMarketStore store, Action<PairOptions> options);

    public ManualTimeProvider Clock { get; }

    public PairReference Reference { get; }

    public IPairTarget Target { get; private set; }

    public UpdateRecorder Updates => Target.Updates;

    public long Epoch { get; private set; }

    public int BatchCount => script.Count;

    public List<(TicksRecorded Expected, TicksRecorded Actual)> Replies { get; } = [];

    public List<PriceUpdated> ExpectedPrices { get; } = [];

    public List<(PriceUpdated? Expected, PriceUpdated? Actual)> Latest { get; } = [];

    public List<((DateTimeOffset From, DateTimeOffset To) Query, WindowStats Expected, WindowStats Actual)> Stats { get; } = [];

    public List<(DateTimeOffset Now, IReadOnlyList<MinuteBar> Expected, IReadOnlyList<MinuteBar> Actual)> Published { get; } = [];

    public List<BarsObservation> Bars { get; } = [];

    public static async Task<PairSimulation> StartAsync(TargetFactory start, int seed, int batches = 120)
    {
        var simulation = new PairSimulation(seed, batches);
        simulation.Target = await start(Instrument, simulation.Clock, simulation.store, o =>
        {
            o.WindowLength = WindowLength;
            o.BarCloseGrace = Grace;
        });
        return simulation;
    }

    /// <summary>Feeds the next <paramref name="count"/> batches (all that are left by default), checking after each.</summary>
    public async Task RunAsync(int count = int.MaxValue)
    {
        for (var end = Math.Min(script.Count, next + count); next < end; next++)
        {
            await StepAsync(script[next], script.Skip(next + 1).Select(b => b.FirstNew).FirstOrDefault(t => t is not null));
        }
    }

    /// <summary>Moves the clock to the next new trade of the script (across a gap, if one follows), then checks.</summary>
    public async Task AdvanceToNextTradeAsync()
    {
        if (script.Skip(next).Select(b => b.FirstNew).FirstOrDefault(t => t is not null) is { } first)
        {
            AdvanceTo(first);
        }

        await CheckAsync();
    }

    /// <summary>Lets every open bar run out, then checks.</summary>
    public async Task FinishAsync()
    {
        Clock.Advance(TimeSpan.FromMinutes(2));
        await CheckAsync();
    }

    /// <summary>Ends the pair's activation; the next one starts on the same store and clock.</summary>
    public Task RestartAsync() => Target.RestartAsync();

    /// <summary>
    /// Pings the pair (so timer turns are done) and waits for the updates the reference says are out, then compares
    /// latest price, published bars, window stats and bars.
    /// </summary>
    public async Task CheckAsync()
    {
        var now = Clock.GetUtcNow();
        var expectedBars = Reference.ClosedBars(now);
        await Target.SettleAsync(ExpectedPrices.Count, expectedBars.Count);
        // A snapshot a new activation rebuilt covers only its own trade (its batch is not stored); the published updates
        // carry the batches' first sequences and are compared whole.
        Latest.Add((AsSnapshot(Reference.Latest(Epoch)), AsSnapshot(await Target.LatestAsync())));
        Published.Add((now, expectedBars, [.. Updates.ClosedBars.Select(c => c.Bar)]));

        for (var i = 0; i < 4; i++)
        {
            var (from, to) = RandomPeriod(now);
            Stats.Add(((from, to), Reference.Stats(from, to, now), await Target.StatsAsync(from, to)));
        }

        var limit = random.Next(0, MaxClosedBars + 3);
        var history = await Target.BarsAsync(limit);
        Bars.Add(new BarsObservation(now, limit, [.. Updates.ClosedBars.Select(c => c.Bar)], Reference.OpenBar(now), history));
    }

    public ValueTask DisposeAsync() => Target.DisposeAsync();

    private static PriceUpdated? AsSnapshot(PriceUpdated? update) => update is null ? null : update with { FirstSequence = update.Sequence };

    private async Task StepAsync(ScriptBatch batch, DateTimeOffset? nextFirst)
    {
        if (batch.FirstNew is { } first && random.Next(2) == 0)
        {
            // Sometimes stop exactly at, or one tick before, the moment the open bar is due to close.
            var due = Reference.Accepted.Count == 0
                ? first
                : PairReference.MinuteOf(Reference.Accepted[^1].Tick.ExchangeTime) + TimeSpan.FromMinutes(1) + Grace - TimeSpan.FromTicks(random.Next(2));
            if (due > Clock.GetUtcNow() && due < first && random.Next(2) == 0)
            {
                AdvanceTo(due);
                await CheckAsync();
            }

            AdvanceTo(first);
        }

        var now = Clock.GetUtcNow();
        if (Epoch == 0)
        {
            Epoch = now.ToUnixTimeMilliseconds();
        }

        var ticks = Target.CarriesForeignTicks ? batch.Ticks : [.. batch.Ticks.Where(t => t.Instrument == Instrument)];
        var expected = Reference.Record(ticks, now);
        var actual = await Target.RecordAsync(ticks);
        Replies.Add((expected, actual));
        if (expected.Accepted > 0)
        {
            ExpectedPrices.Add(Reference.Latest(Epoch)!);
        }

        if (batch.LastNew is { } last)
        {
            // Received a little after the trade, but never after the next trade happened.
            var target = last + TimeSpan.FromTicks(random.NextInt64(0, 3 * TimeSpan.TicksPerSecond));
            AdvanceTo(nextFirst is { } cap && cap < target ? cap : target);
        }

        await CheckAsync();
    }

    private (DateTimeOffset From, DateTimeOffset To) RandomPeriod(DateTimeOffset now)
    {
        var from = RandomTime(now);
        var to = random.Next(8) == 0 ? from : RandomTime(now);
        if (to < from)
        {
            (from, to) = (to, from);
        }

        return random.Next(10) == 0 ? (from.ToOffset(TimeSpan.FromHours(2)), to) : (from, to);
    }

    private DateTimeOffset RandomTime(DateTimeOffset now)
    {
        var earliest = now - WindowLength - TimeSpan.FromMinutes(2);
        var recent = Reference.Accepted.Where(s => s.Tick.ExchangeTime >= earliest).ToList();
        return random.Next(6) switch
        {
            0 when recent.Count > 0 => recent[random.Next(recent.Count)].Tick.ExchangeTime,
            1 => PairReference.MinuteOf(now - TimeSpan.FromMinutes(random.Next(0, 9))),
            2 => now - WindowLength,
            3 => now - TimeSpan.FromDays(1),
            _ => earliest + TimeSpan.FromTicks(random.NextInt64((now - earliest + TimeSpan.FromSeconds(30)).Ticks)),
        };
    }

    private void AdvanceTo(DateTimeOffset target)
    {
        var now = Clock.GetUtcNow();
        if (target > now)
        {
            Clock.Advance(target - now);
        }
    }

    /// <summary>A <see cref="GetMinuteBars"/> reply and what was known when it was asked.</summary>
    internal sealed record BarsObservation(
        DateTimeOffset Now,
        int Limit,
        IReadOnlyList<MinuteBar> PublishedSoFar,
        MinuteBar? ExpectedOpen,
        MinuteBarHistory Actual);
}
