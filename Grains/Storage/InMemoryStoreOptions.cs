using System.ComponentModel.DataAnnotations;

namespace PriceActors.Grains.Storage;

/// <summary>Retention of the in-memory store, bound from the <c>Store:InMemory</c> section.</summary>
public sealed class InMemoryStoreOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Store:InMemory";

    /// <summary>Trades are kept this long after the instrument's newest trade. Default 20 minutes (longer than the default window); 1 minute to 1 day.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan TickRetention { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>Minute bars are kept this long after the instrument's newest bar. Default 1 day; 1 minute to 30 days.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan BarRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>At most this many trades are kept per instrument; the oldest go first. Default 2,000,000; 1,000 to 100,000,000.</summary>
    [Range(1_000, 100_000_000)]
    public int MaxTicksPerInstrument { get; set; } = 2_000_000;
}
