namespace PriceActors.Grains;

/// <summary>Where every feed of the cluster takes its trades from.</summary>
[GenerateSerializer]
[Alias("priceactors.FeedMode")]
public enum FeedMode
{
    /// <summary>Synthetic trades made inside the silos (<c>Feeds:Synthetic</c>): no network, the default.</summary>
    Test,

    /// <summary>The exchanges' public market-data streams and the configured NDJSON endpoints.</summary>
    Live,
}
