using PriceActors.Runtime;

namespace PriceActors.Grains;

/// <summary>Asks for the most recent closed minute bars still in the rolling window, and the open bar.</summary>
/// <param name="Limit">At most this many closed bars, newest last; 0 for only the open bar.</param>
public sealed record GetMinuteBars(int Limit) : IRequest<MinuteBarHistory>;
