using PriceActors.Runtime;

namespace PriceActors.Grains;

/// <summary>
/// Asks for statistics over <c>[From, To)</c>. A period reaching back before the rolling window
/// starts is answered from the window's start: <see cref="WindowStats.From"/> says where.
/// </summary>
/// <param name="From">Start of the period (inclusive).</param>
/// <param name="To">End of the period (exclusive); must not be before <paramref name="From"/>.</param>
public sealed record GetWindowStats(DateTimeOffset From, DateTimeOffset To) : IRequest<WindowStats>;
