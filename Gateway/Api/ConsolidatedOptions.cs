using System.ComponentModel.DataAnnotations;

namespace PriceActors.Gateway.Api;

/// <summary>How <c>GET /prices/consolidated/{symbol}</c> weighs the exchanges, bound from <c>Api:Consolidated</c>.</summary>
public sealed class ConsolidatedOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Api:Consolidated";

    /// <summary>The period each exchange's volume-weighted price covers (<c>?period=</c> overrides). Default 10 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>An exchange whose last trade is older is left out as stale (<c>?staleAfter=</c> overrides). Default 30 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan StaleAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// With three exchanges or more, one whose price is further than this from their median is left out as an outlier.
    /// Default 2 %.
    /// </summary>
    [Range(0.001, 100.0)]
    public double MaxDeviationPercent { get; set; } = 2;
}
