namespace PriceActors.Grains.Streams;

/// <summary>One subscriber's binding to the update stream; dispose to end it.</summary>
public interface IUpdateSubscription : IAsyncDisposable
{
    /// <summary>Starts receiving an instrument's updates; effective when the task completes.</summary>
    /// <param name="instrument">The instrument.</param>
    ValueTask AddAsync(InstrumentKey instrument);

    /// <summary>Stops receiving an instrument's updates; a few already on their way may still arrive.</summary>
    /// <param name="instrument">The instrument.</param>
    ValueTask RemoveAsync(InstrumentKey instrument);
}
