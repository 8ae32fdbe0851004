namespace PriceActors.Silo.RabbitMq;

/// <summary>One encoded tick message waiting for its confirm, and the batches (or parts of them) it carries.</summary>
/// <param name="Partition">Its partition.</param>
/// <param name="Body">The encoded ticks; not written again, the client may still read it until confirmed.</param>
/// <param name="Parts">The batches it carries a part of, each once per part.</param>
internal sealed record OutgoingTickMessage(int Partition, byte[] Body, PendingTickBatch[] Parts);
