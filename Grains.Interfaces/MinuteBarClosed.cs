namespace PriceActors.Grains;

/// <summary>A minute ended and its bar is final; published once per instrument and minute that had trades.</summary>
/// <param name="Bar">The closed bar.</param>
/// <param name="Epoch">The epoch of the instrument's sequence.</param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.MinuteBarClosed")]
public sealed record MinuteBarClosed(MinuteBar Bar, long Epoch) : IPairUpdate;
