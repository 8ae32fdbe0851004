namespace PriceActors.Bench;

/// <summary>
/// What <see cref="LatencyRecorder.Analyze"/> found: every tick's latency, each update's by its newest tick, each batch's
/// publish (the stream's insert into PostgreSQL, part of the latency), the ticks published in the span and those an update
/// covered, and updates whose sequence did not match the trade ids.
/// </summary>
internal sealed record LatencyFigures(
    TickLatencies.Distribution EveryTick,
    TickLatencies.Distribution PerUpdate,
    TickLatencies.Distribution Publish,
    long TicksPublished,
    long TicksCovered,
    long Mismatched);
