namespace PriceActors.Bench;

/// <summary>A <c>priceUpdated</c> as <see cref="HubClient"/> saw it: its newest tick's time and when it arrived, both UTC ticks.</summary>
internal readonly record struct HubUpdate(string Exchange, string Symbol, long Sequence, long Timestamp, long Arrived);
