using System.ComponentModel.DataAnnotations;

namespace PriceActors.Grains.Pairs;

/// <summary>Settings of every pair grain, bound from the <c>Pairs</c> section.</summary>
public sealed class PairOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Pairs";

    /// <summary>Length of the rolling window of trades. Default 15 minutes; 1 minute to 1 day.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan WindowLength { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long after a minute ends its bar is closed when no trade of a later minute arrived;
    /// trades of that minute arriving later are rejected as late. Default 1 s; 0 to 1 minute.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan BarCloseGrace { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Period of the Orleans reminder a pair holds while its bar is open. The reminder wakes the pair wherever the
    /// cluster places it, so a bar whose silo died or left closes even when no later trade comes: at most this long after
    /// the bar is due (its minute's end plus <see cref="BarCloseGrace"/>). Default 1 minute, the least Orleans allows; 1
    /// minute to 1 hour.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")]
    public TimeSpan BarReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);
}
