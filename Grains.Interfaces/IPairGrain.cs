using Orleans.Concurrency;

namespace PriceActors.Grains;

/// <summary>
/// One grain per (exchange, symbol), keyed by <see cref="InstrumentKey.Value"/> (<c>binance:BTCUSDT</c>): takes the
/// instrument's trades from the router of its tick stream (<see cref="ITickRouterGrain"/>), keeps the latest price, the rolling window and the
/// minute bars, persists trades and closed bars, and publishes <see cref="PriceUpdated"/> and
/// <see cref="MinuteBarClosed"/> on the instrument's update stream (<see cref="StreamNames.Updates"/>).
/// Queries interleave with a batch waiting for its store.
/// </summary>
[Alias("priceactors.IPairGrain")]
public interface IPairGrain : IGrainWithStringKey
{
    /// <summary>
    /// Adds a batch of trades: the tick stream's router calls it, and tools and tests may. Ticks already seen (trade id
    /// not above the last accepted one) count as duplicates. Completes once the accepted trades are stored. A caller
    /// sends one batch at a time and sends a failed one again before any later one, as the router does: when the store
    /// fails, the activation ends, and a later batch already waiting would reach the next activation first and make
    /// the failed batch's trades count as duplicates.
    /// </summary>
    /// <param name="batch">Trades of this instrument, in exchange order.</param>
    /// <param name="epoch">
    /// The feed mode's epoch of the trades (<see cref="TickRound.Epoch"/>): a later one than the pair's starts a new
    /// sequence with an empty window and bars (the open bar closes under the old epoch first); an earlier one is refused
    /// whole. 0 takes the trades into the pair's current epoch (tools and tests that feed pairs directly).
    /// </param>
    [Alias("RecordTicks")]
    Task<TicksRecorded> RecordTicksAsync(TickBatch batch, long epoch);

    /// <summary>The latest trade as an update; null before the instrument's first trade.</summary>
    [AlwaysInterleave]
    [Alias("GetLatestPrice")]
    Task<PriceUpdated?> GetLatestPriceAsync();

    /// <summary>
    /// Statistics over <c>[from, to)</c>. A period reaching back before the rolling window starts is answered from
    /// the window's start: <see cref="WindowStats.From"/> says where.
    /// </summary>
    /// <param name="from">Start of the period (inclusive).</param>
    /// <param name="to">End of the period (exclusive); not before <paramref name="from"/>.</param>
    [AlwaysInterleave]
    [Alias("GetWindowStats")]
    Task<WindowStats> GetWindowStatsAsync(DateTimeOffset from, DateTimeOffset to);

    /// <summary>The most recent closed minute bars still in the window, oldest first, and the open bar.</summary>
    /// <param name="limit">At most this many closed bars; 0 for only the open bar.</param>
    [AlwaysInterleave]
    [Alias("GetMinuteBars")]
    Task<MinuteBarHistory> GetMinuteBarsAsync(int limit);

    /// <summary>
    /// The minute bars of <c>[from, to)</c> beyond the window as well: the closed ones of the current epoch from the store,
    /// then the open one when its minute is in range; oldest first, at most <paramref name="limit"/>.
    /// </summary>
    /// <param name="from">First minute wanted (inclusive).</param>
    /// <param name="to">End of the minutes wanted (exclusive).</param>
    /// <param name="limit">At most this many bars, the oldest.</param>
    [AlwaysInterleave]
    [Alias("GetStoredBars")]
    Task<MinuteBar[]> GetStoredBarsAsync(DateTimeOffset from, DateTimeOffset to, int limit);

    /// <summary>
    /// Candles of <paramref name="interval"/> with an open time in <c>[from, to)</c>, oldest first, at most
    /// <paramref name="limit"/>; intervals without trades are left out. Below a minute they come from the window's trades
    /// (from its start at the earliest); a minute and above (whole minutes) from the minute bars, stored ones included.
    /// </summary>
    /// <param name="interval">The candle length: under a minute it divides a minute, from a minute on whole minutes.</param>
    /// <param name="from">Earliest open time (aligned down to the interval).</param>
    /// <param name="to">Open times before this.</param>
    /// <param name="limit">At most this many candles.</param>
    [AlwaysInterleave]
    [Alias("GetCandles")]
    Task<Candle[]> GetCandlesAsync(TimeSpan interval, DateTimeOffset from, DateTimeOffset to, int limit);

    /// <summary>
    /// The trades of the current epoch from <paramref name="since"/> on, oldest first, at most <paramref name="limit"/>, from
    /// the store (PostgreSQL in the cluster: as far back as it keeps ticks).
    /// </summary>
    /// <param name="since">Oldest exchange time wanted.</param>
    /// <param name="limit">At most this many trades.</param>
    [AlwaysInterleave]
    [Alias("GetTrades")]
    Task<TradeHistory> GetTradesAsync(DateTimeOffset since, int limit);

    /// <summary>
    /// The updates a subscriber missed after the position (<paramref name="epoch"/>, <paramref name="sequence"/>) it
    /// reached: one per trade still in the rolling window, oldest first, at most <paramref name="limit"/>. When the position
    /// belongs to another epoch, is older than the window or beyond the last trade, the answer says so and carries the
    /// latest update to start over from.
    /// </summary>
    /// <param name="epoch">The epoch of the subscriber's last update.</param>
    /// <param name="sequence">The sequence of the subscriber's last update (0: none yet in that epoch).</param>
    /// <param name="limit">At most this many updates; ask again from the last one for more.</param>
    [AlwaysInterleave]
    [Alias("GetUpdatesSince")]
    Task<UpdateReplay> GetUpdatesSinceAsync(long epoch, long sequence, int limit);
}
