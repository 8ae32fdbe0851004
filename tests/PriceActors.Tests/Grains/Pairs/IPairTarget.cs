using PriceActors.Grains;

namespace PriceActors.Tests.Grains.Pairs;

/// <summary>A pair under test — the actor on the old runtime or the grain in an Orleans test cluster — with its updates.</summary>
internal interface IPairTarget : IAsyncDisposable
{
    /// <summary>Whether a batch may hold another instrument's ticks (a tick stream batch carries one instrument only).</summary>
    bool CarriesForeignTicks { get; }

    /// <summary>What the pair published, in arrival order.</summary>
    UpdateRecorder Updates { get; }

    /// <summary>The pair's log.</summary>
    LogRecorder Logs { get; }

    Task<TicksRecorded> RecordAsync(Tick[] ticks);

    Task<PriceUpdated?> LatestAsync();

    Task<WindowStats> StatsAsync(DateTimeOffset from, DateTimeOffset to);

    Task<MinuteBarHistory> BarsAsync(int limit);

    /// <summary>Ends the pair's activation; the next call starts one that loads from the store.</summary>
    Task RestartAsync();

    /// <summary>Waits until this many price updates and closed bars have arrived (updates travel asynchronously), at most a few seconds.</summary>
    Task SettleAsync(int prices, int closedBars);
}
