namespace PriceActors.Grains;

/// <summary>
/// What one gateway or silo process tells the operations view every few seconds: counters since it started (rates come
/// from two reports), gauges as they are now, and, from silos, its tick streams and busiest pairs.
/// </summary>
/// <param name="Id">The process, e.g. <c>gateway 127.0.0.1:8081</c> or the silo's address.</param>
/// <param name="Role"><c>gateway</c> or <c>silo</c>.</param>
/// <param name="At">When the report was made.</param>
/// <param name="Counters">Totals since the process started, by name (e.g. <c>delivered</c>, <c>ticks</c>).</param>
/// <param name="Gauges">Values now, by name (e.g. <c>connections.websocket</c>, <c>queued</c>).</param>
/// <param name="Streams">The tick streams this silo's routers took rounds from.</param>
/// <param name="Pairs">This silo's pairs that took trades since its last report, busiest first.</param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.ProcessReport")]
public sealed record ProcessReport(
    string Id,
    string Role,
    DateTimeOffset At,
    Dictionary<string, long> Counters,
    Dictionary<string, double> Gauges,
    StreamActivity[] Streams,
    PairActivity[] Pairs);

/// <summary>A tick stream as its router saw it.</summary>
/// <param name="Stream">The stream, <c>{exchange}/{shard}</c>.</param>
/// <param name="Ticks">Ticks its rounds carried since the process started.</param>
/// <param name="Deliveries">Deliveries (each of one or more rounds) its router took since the process started.</param>
/// <param name="LagMilliseconds">At its last delivery: now minus the exchange time of the newest trade delivered.</param>
/// <param name="LastDelivery">When it last delivered.</param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.StreamActivity")]
public sealed record StreamActivity(string Stream, long Ticks, long Deliveries, double LagMilliseconds, DateTimeOffset LastDelivery);

/// <summary>A pair's trades as its grain took them.</summary>
/// <param name="Instrument">The instrument.</param>
/// <param name="Ticks">Trades accepted since the process started.</param>
/// <param name="Batches">Calls that brought them (a pair takes each delivery's trades in one).</param>
/// <param name="LastTrade">Exchange time of its last trade.</param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.PairActivity")]
public sealed record PairActivity(string Instrument, long Ticks, long Batches, DateTimeOffset LastTrade);
