namespace PriceActors.Grains.Feeds;

/// <summary>Where an exchange feed grain's trades come from: the synthetic market or the exchange's live stream.</summary>
internal interface IFeedSource
{
    /// <summary><c>synthetic</c> or <c>live</c>.</summary>
    string Source { get; }

    /// <summary>Instruments the source produces.</summary>
    int InstrumentCount { get; }

    /// <summary>Ticks published since the source was made.</summary>
    long TicksPublished { get; }

    /// <summary>Exchange time of the newest tick published.</summary>
    DateTimeOffset? LastTickAt { get; }

    /// <summary>A live source's connection; null for others.</summary>
    LiveConnectionStatus? Connection();

    /// <summary>Produces and publishes rounds until cancelled.</summary>
    Task RunAsync(CancellationToken cancellationToken);
}
