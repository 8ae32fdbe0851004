namespace PriceActors.Grains;

/// <summary>Where an exchange feed is in its life.</summary>
[GenerateSerializer]
[Alias("priceactors.FeedState")]
public enum FeedState
{
    /// <summary>Not running.</summary>
    Stopped,

    /// <summary>Producing ticks.</summary>
    Running,

    /// <summary>Stopped by an error; see <see cref="FeedStatus.LastError"/>.</summary>
    Faulted,
}
