using PriceActors.Runtime;

namespace PriceActors.Grains;

/// <summary>
/// <see cref="RecordTicks"/> for a consumer that pipelines an instrument's batches: the reply comes once
/// the actor has taken the batch (window, bar, update published) and queued its append, and carries the
/// task of the append; the consumer hands the next batch over without waiting for it. Local to the silo
/// that owns the instrument's partition: it holds tasks, so it never crosses a process boundary.
/// </summary>
/// <param name="Ticks">The trades; the actor does not keep a reference to the buffer after the reply.</param>
/// <param name="After">
/// What the consumer's previous batch of this instrument became durable with (<see cref="TicksTaken.Durable"/>),
/// or a completed task. If it failed, this batch is refused: an activation that came after the failure
/// must not take later trades before the failed batch is handed over again.
/// </param>
public sealed record TakeTicks(ReadOnlyMemory<Tick> Ticks, Task After) : IRequest<TicksTaken>;
