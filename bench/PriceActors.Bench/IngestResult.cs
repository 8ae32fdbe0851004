namespace PriceActors.Bench;

/// <summary>
/// The ingest run's figures: durable and offered ticks/s over the span, the feed's lead over the durable ticks at its
/// end, how often the backlog bound held the feed, how long the rest took to become durable (null: not within the
/// patience, <see cref="Undrained"/> ticks short), and the CPU split.
/// </summary>
internal sealed record IngestResult(double Durable, double Offered, double Seconds, long AheadAtEnd, int BacklogWaits, TimeSpan? Drained, long Undrained, string Cpu);
