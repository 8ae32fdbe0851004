namespace PriceActors.Silo.RabbitMq;

/// <summary>
/// A delivery of a partition whose batches were handed to the handler and are not acknowledged yet.
/// <paramref name="Done"/> never throws: true once every batch of the message is handled (durable),
/// false when the consumer gave up on it (released, stopping, or its channel session was lost).
/// </summary>
/// <param name="Tag">The delivery tag, valid only on the channel session it came with.</param>
/// <param name="Session">The channel session (generation) the delivery belongs to.</param>
/// <param name="Done">Completes when the message is handled or given up.</param>
/// <param name="Probe">An ownership probe (no ticks): acked in its turn, counted apart from tick messages.</param>
internal readonly record struct InFlightMessage(ulong Tag, long Session, Task<bool> Done, bool Probe = false);
