namespace PriceActors.Bench;

/// <summary>
/// The latency run's figures: <see cref="LatencyFigures"/> over the span, and what the run did to get them (how long
/// until every instrument's first tick reached the hub client, from a cold cluster), and how far the stored ticks trailed the published ones.
/// </summary>
internal sealed record LatencyResult(
    LatencyFigures Figures,
    double Offered,
    double Seconds,
    TimeSpan Primed,
    long Updates,
    bool CaughtUp,
    string? HubFailure,
    (long Max, long Mean) NotDurable,
    string Cpu);
