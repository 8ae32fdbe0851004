using PriceActors.Grains;

namespace PriceActors.Silo.RabbitMq;

/// <summary>One instrument's part of an update message: its price updates and closed bars, in publish order.</summary>
/// <param name="Instrument">The instrument every update belongs to.</param>
/// <param name="Updates">Each a <see cref="PriceUpdated"/> or a <see cref="MinuteBarClosed"/>.</param>
public sealed record UpdateSection(InstrumentKey Instrument, IReadOnlyList<object> Updates);
