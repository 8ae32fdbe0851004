namespace PriceActors.Grains.Streams;

/// <summary>Counters of a bus, for health and dashboards.</summary>
/// <param name="Kind">Which implementation, e.g. <c>in-memory</c>.</param>
/// <param name="Partitions">Tick stream partitions.</param>
/// <param name="QueuedBatches">Tick batches published but not yet consumed.</param>
/// <param name="BatchesPublished">Tick batches published.</param>
/// <param name="TicksPublished">Ticks published.</param>
/// <param name="UpdatesPublished">Price updates and closed bars published.</param>
/// <param name="UpdatesDelivered">Updates handed to subscribers (one per subscriber).</param>
/// <param name="SubscribedInstruments">Instruments with at least one subscriber.</param>
public sealed record BusStatistics(
    string Kind,
    int Partitions,
    long QueuedBatches,
    long BatchesPublished,
    long TicksPublished,
    long UpdatesPublished,
    long UpdatesDelivered,
    int SubscribedInstruments);
