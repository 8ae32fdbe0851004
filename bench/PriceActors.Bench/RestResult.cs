namespace PriceActors.Bench;

/// <summary>The REST run's figures: answered requests (200) per second, their latency in ms, the failures, and the CPU split.</summary>
internal sealed record RestResult(double PerSecond, double P50, double P99, double Max, long Answered, long Failed, string? FirstFailure, string Cpu)
{
    public override string ToString() => FormattableString.Invariant(
        $"{PerSecond:N0} req/s, p50 {P50:F2} ms, p99 {P99:F2} ms, max {Max:F1} ms ({Answered:N0} answered 200, {Failed:N0} failed{(FirstFailure is null ? "" : $", first: {FirstFailure}")})");
}
