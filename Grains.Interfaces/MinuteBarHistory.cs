namespace PriceActors.Grains;

/// <summary>An instrument's recent minute bars.</summary>
/// <param name="Closed">Closed bars, oldest first.</param>
/// <param name="Open">The bar of the current minute, if it has trades.</param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.MinuteBarHistory")]
public sealed record MinuteBarHistory(IReadOnlyList<MinuteBar> Closed, MinuteBar? Open);
