namespace PriceActors.Silo.RabbitMq;

/// <summary>A decoded update message: what <see cref="UpdateCodec"/> reads.</summary>
/// <param name="SentAt">When the silo sent it, by the silo's clock; null from silos that did not say (versions 1 and 2).</param>
/// <param name="Sections">Each instrument's updates in order.</param>
public sealed record UpdateMessage(DateTimeOffset? SentAt, IReadOnlyList<UpdateSection> Sections);
