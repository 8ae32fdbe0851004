namespace PriceActors.Gateway.Admin;

/// <summary>The key that guards state-changing endpoints (mode, proxies), bound from the <c>Admin</c> section.</summary>
public sealed class AdminOptions
{
    /// <summary>Configuration section name.</summary>
    public const string Section = "Admin";

    /// <summary>The HTTP header a caller sends the key in.</summary>
    public const string Header = "X-Admin-Key";

    /// <summary>
    /// The admin key (<c>--Admin:Key</c>, or the environment variable <c>Admin__Key</c>); none by default, and then every
    /// state-changing endpoint answers 403.
    /// </summary>
    public string? Key { get; set; }
}
