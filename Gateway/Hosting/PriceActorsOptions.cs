namespace PriceActors.Gateway.Hosting;

/// <summary>Top-level settings, bound from the <c>PriceActors</c> section.</summary>
public sealed class PriceActorsOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "PriceActors";

    /// <summary>How the system runs. Default <see cref="HostingMode.Embedded"/>.</summary>
    public HostingMode Mode { get; set; } = HostingMode.Embedded;
}
