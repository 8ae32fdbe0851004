namespace PriceActors.Grains;

/// <summary>What became of a <see cref="TakeTicks"/> batch.</summary>
/// <param name="Recorded">The counts and the sequence, as <see cref="RecordTicks"/> replies them.</param>
/// <param name="Durable">
/// Completes when the batch's trades and every trade of the instrument queued before them are durable,
/// and fails when any of them could not be stored; already complete when nothing was pending.
/// </param>
public sealed record TicksTaken(TicksRecorded Recorded, Task Durable);
