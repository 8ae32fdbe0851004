using System.ComponentModel.DataAnnotations;

namespace PriceActors.Gateway.Hosting;

/// <summary>Settings of a gateway in cluster mode, bound from the <c>Orleans</c> section (the silos' own keys).</summary>
public sealed class ClusterGatewayOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Orleans";

    /// <summary>The cluster to join as a client; the silos' <c>Orleans:ClusterId</c>. Default <c>priceactors</c>.</summary>
    [Required]
    [RegularExpression("^[A-Za-z0-9_.-]{1,100}$")]
    public string ClusterId { get; set; } = "priceactors";

    /// <summary>How often the gateway reads the silos' gateway list from the membership table. Default 5 s.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan GatewayListRefreshPeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The wait between two attempts to connect to the cluster while no silo answers. Default 1 s.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan ConnectRetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}
