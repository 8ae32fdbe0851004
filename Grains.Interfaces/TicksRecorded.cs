namespace PriceActors.Grains;

/// <summary>What became of a batch given to <see cref="IPairGrain.RecordTicksAsync"/>.</summary>
/// <param name="Accepted">Ticks added to the window and the bars.</param>
/// <param name="Duplicates">Ticks already seen (by trade id).</param>
/// <param name="Rejected">Ticks of another instrument, older than the open minute bar, or of an earlier epoch; logged.</param>
/// <param name="Sequence">The instrument's sequence after the batch.</param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.TicksRecorded")]
public sealed record TicksRecorded(int Accepted, int Duplicates, int Rejected, long Sequence);
