using PriceActors.Runtime;

namespace PriceActors.Grains;

/// <summary>Asks for the instrument's latest price; the reply is null before its first trade.</summary>
public sealed record GetLatestPrice : IRequest<PriceUpdated?>
{
    /// <summary>The one instance needed.</summary>
    public static readonly GetLatestPrice Instance = new();
}
