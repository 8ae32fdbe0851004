using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using PriceActors.Grains.Pairs;

namespace PriceActors.Grains.Storage;

/// <summary>
/// The embedded mode's store: trades and bars of each instrument in process memory, trimmed by
/// <see cref="InMemoryStoreOptions"/>. Single process only and not durable: it lets an idle pair
/// actor come back with its window, but everything is lost when the process stops. Use the
/// PostgreSQL store (cluster mode) for durability.
/// </summary>
public sealed class InMemoryStore(IOptions<InMemoryStoreOptions> options) : IMarketStore
{
    private readonly InMemoryStoreOptions settings = options.Value;
    private readonly ConcurrentDictionary<InstrumentKey, PairData> pairs = new();
    private long ticksStored;
    private long barsStored;
    private long ticksAppended;
    private long ticksEvicted;

    /// <inheritdoc/>
    public ValueTask AppendTicksAsync(InstrumentKey instrument, long epoch, ReadOnlyMemory<SequencedTick> ticks, CancellationToken cancellationToken)
    {
        if (ticks.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        var data = pairs.GetOrAdd(instrument, static _ => new PairData());
        lock (data)
        {
            if (epoch < data.Epoch)
            {
                // Trades of an epoch the pair left: kept apart, which for memory means not kept.
                return ValueTask.CompletedTask;
            }

            if (epoch > data.Epoch)
            {
                // A new epoch (a feed mode switch): what the earlier one stored stays apart, in memory dropped.
                Interlocked.Add(ref ticksStored, -data.Ticks.Count);
                Interlocked.Add(ref barsStored, -data.Bars.Count);
                data.Ticks.RemoveFirst(data.Ticks.Count);
                data.Bars.Clear();
            }

            var before = data.Ticks.Count;
            data.Epoch = epoch;
            foreach (var tick in ticks.Span)
            {
                data.Ticks.Add(tick);
            }

            var last = ticks.Span[^1];
            data.LastSequence = last.Sequence;
            data.LastTradeId = last.Tick.TradeId;
            var oldest = last.Tick.ExchangeTime.UtcTicks - settings.TickRetention.Ticks;
            var expired = data.Ticks.LowerBound(oldest, static t => t.Tick.ExchangeTime.UtcTicks);
            var overCap = data.Ticks.Count - expired - settings.MaxTicksPerInstrument;
            data.Ticks.RemoveFirst(expired + Math.Max(0, overCap));
            Interlocked.Add(ref ticksStored, data.Ticks.Count - before);
            Interlocked.Add(ref ticksAppended, ticks.Length);
            Interlocked.Add(ref ticksEvicted, Math.Max(0, overCap));
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask SaveBarAsync(MinuteBar bar, long epoch, CancellationToken cancellationToken)
    {
        var instrument = InstrumentKey.Create(bar.Exchange, bar.Symbol);
        var data = pairs.GetOrAdd(instrument, static _ => new PairData());
        lock (data)
        {
            if (epoch < data.Epoch)
            {
                return ValueTask.CompletedTask;
            }

            var before = data.Bars.Count;
            data.Bars[bar.Minute.UtcTicks] = bar;
            var oldest = data.Bars.Keys[^1] - settings.BarRetention.Ticks;
            while (data.Bars.Count > 0 && data.Bars.Keys[0] < oldest)
            {
                data.Bars.RemoveAt(0);
            }

            Interlocked.Add(ref barsStored, data.Bars.Count - before);
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<PairHistory?> LoadAsync(InstrumentKey instrument, DateTimeOffset since, CancellationToken cancellationToken)
    {
        if (!pairs.TryGetValue(instrument, out var data))
        {
            return ValueTask.FromResult<PairHistory?>(null);
        }

        lock (data)
        {
            var ticks = new List<SequencedTick>();
            for (var i = data.Ticks.LowerBound(since.UtcTicks, static t => t.Tick.ExchangeTime.UtcTicks); i < data.Ticks.Count; i++)
            {
                ticks.Add(data.Ticks[i]);
            }

            var bars = data.Bars.Where(kv => kv.Key >= since.UtcTicks).Select(kv => kv.Value).ToList();
            return ValueTask.FromResult<PairHistory?>(new PairHistory(
                data.Epoch,
                data.LastSequence,
                data.LastTradeId,
                data.Ticks.Count > 0 ? data.Ticks[data.Ticks.Count - 1] : null,
                ticks,
                bars));
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<MinuteBar>> LoadBarsAsync(InstrumentKey instrument, long epoch, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken cancellationToken)
    {
        if (!pairs.TryGetValue(instrument, out var data))
        {
            return ValueTask.FromResult<IReadOnlyList<MinuteBar>>([]);
        }

        lock (data)
        {
            IReadOnlyList<MinuteBar> bars = data.Epoch != epoch
                ? []
                : [.. data.Bars.Where(kv => kv.Key >= from.UtcTicks && kv.Key < to.UtcTicks).Take(limit).Select(kv => kv.Value)];
            return ValueTask.FromResult(bars);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<SequencedTick>> LoadTicksAsync(InstrumentKey instrument, long epoch, DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        if (!pairs.TryGetValue(instrument, out var data))
        {
            return ValueTask.FromResult<IReadOnlyList<SequencedTick>>([]);
        }

        lock (data)
        {
            var ticks = new List<SequencedTick>(Math.Min(limit, 1024));
            if (data.Epoch == epoch)
            {
                for (var i = data.Ticks.LowerBound(since.UtcTicks, static t => t.Tick.ExchangeTime.UtcTicks); i < data.Ticks.Count && ticks.Count < limit; i++)
                {
                    ticks.Add(data.Ticks[i]);
                }
            }

            return ValueTask.FromResult<IReadOnlyList<SequencedTick>>(ticks);
        }
    }

    /// <inheritdoc/>
    public StoreStatistics GetStatistics() => new(
        "in-memory",
        pairs.Count,
        Interlocked.Read(ref ticksStored),
        Interlocked.Read(ref barsStored),
        Interlocked.Read(ref ticksAppended),
        Interlocked.Read(ref ticksEvicted));

    private sealed class PairData
    {
        public RingBuffer<SequencedTick> Ticks { get; } = new(1024);

        public SortedList<long, MinuteBar> Bars { get; } = [];

        public long Epoch { get; set; }

        public long LastSequence { get; set; }

        public long LastTradeId { get; set; }
    }
}
