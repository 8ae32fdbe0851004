using PriceActors.Grains;

namespace PriceActors.Silo.RabbitMq;

/// <summary>A published batch until every message carrying a part of it is confirmed.</summary>
internal sealed class PendingTickBatch(TickBatch batch)
{
    public TickBatch Batch { get; } = batch;

    public TaskCompletionSource Confirmed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Index of the first tick not yet put in a message.</summary>
    public int Offset { get; set; }

    /// <summary>Parts not yet confirmed: the remainder counts as one until it is taken whole.</summary>
    public int OpenParts { get; set; } = 1;
}
