using PriceActors.Runtime;

namespace PriceActors.Grains;

/// <summary>
/// One actor per (exchange, symbol), keyed by <see cref="InstrumentKey.Value"/>: keeps the latest
/// price, a rolling window of trades and the open minute bar; publishes <see cref="PriceUpdated"/>
/// and <see cref="MinuteBarClosed"/> to the update stream and persists trades and bars.
/// </summary>
[ActorType("pair")]
public interface IPairActor : IActor,
    IHandle<RecordTicks, TicksRecorded>,
    IHandle<TakeTicks, TicksTaken>,
    IHandle<GetLatestPrice, PriceUpdated?>,
    IHandle<GetWindowStats, WindowStats>,
    IHandle<GetMinuteBars, MinuteBarHistory>;
