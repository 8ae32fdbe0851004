namespace PriceActors.Grains;

/// <summary>How a pair answered a subscriber that asked for the updates after a position it had reached.</summary>
public enum ReplayOutcome
{
    /// <summary><see cref="UpdateReplay.Updates"/> continue the subscriber's position without a gap.</summary>
    Filled,

    /// <summary>The subscriber's epoch is not the pair's: the sequence restarted (a feed mode switch); start from the snapshot.</summary>
    EpochChanged,

    /// <summary>The trades after the position have left the rolling window; start from the snapshot.</summary>
    TooOld,

    /// <summary>The position is beyond the pair's last trade (the subscriber saw trades the pair no longer has); start from the snapshot.</summary>
    Ahead,
}

/// <summary>The answer to <see cref="IPairGrain.GetUpdatesSinceAsync"/>.</summary>
/// <param name="Outcome">Whether the updates fill the gap or the subscriber starts over from <paramref name="Latest"/>.</param>
/// <param name="Updates">When filled: one update per trade after the position, oldest first, at most the limit asked for.</param>
/// <param name="Latest">The pair's latest update (the snapshot), null before its first trade.</param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.UpdateReplay")]
public sealed record UpdateReplay(ReplayOutcome Outcome, PriceUpdated[] Updates, PriceUpdated? Latest)
{
    /// <summary>True when the updates end before the latest one: ask again from the last of them.</summary>
    public bool HasMore => Outcome == ReplayOutcome.Filled && Latest is not null && Updates.Length > 0 && Updates[^1].Sequence < Latest.Sequence;
}
