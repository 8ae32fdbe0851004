namespace PriceActors.Grains;

/// <summary>When live feeds connect through a proxy.</summary>
[GenerateSerializer]
[Alias("priceactors.ProxyPolicy")]
public enum ProxyPolicy
{
    /// <summary>Never: connect directly.</summary>
    Disabled,

    /// <summary>Directly first; through a proxy once a direct attempt failed, until a connection is up again.</summary>
    Fallback,

    /// <summary>Always through a proxy.</summary>
    Always,
}

/// <summary>
/// The proxies of the cluster's live feeds: one URL is a static proxy, several a rotating list (the next one on each new
/// connection). URLs are <c>http://[user:password@]host:port</c> (HTTP CONNECT) or <c>socks5://…</c> (WebSocket feeds
/// only); their credentials stay inside the cluster: <see cref="Describe"/> is what logs and answers show.
/// </summary>
/// <param name="Policy">When to use them.</param>
/// <param name="Urls">The proxies.</param>
/// <param name="Version">Rises with every change, so feeds notice one.</param>
[GenerateSerializer]
[Immutable]
[Alias("priceactors.FeedProxySettings")]
public sealed record FeedProxySettings(ProxyPolicy Policy, IReadOnlyList<string> Urls, long Version)
{
    /// <summary>No proxy.</summary>
    public static readonly FeedProxySettings None = new(ProxyPolicy.Disabled, [], 0);

    /// <summary>A proxy URL without its credentials: <c>http://host:port</c>.</summary>
    public static string Describe(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}" : "(not a URL)";

    /// <summary>Why <paramref name="url"/> cannot be a proxy, or null when it can.</summary>
    public static string? Problem(string? url) =>
        !Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"'{(url is null ? "" : Describe(url))}' is not an absolute URL"
        : uri.Scheme is not ("http" or "socks5" or "socks5h" or "socks4" or "socks4a") ? $"{Describe(url!)}: use http://, socks5:// or socks4:// (an HTTP CONNECT or SOCKS proxy)"
        : uri.Port <= 0 ? $"{Describe(url!)} names no port"
        : null;
}
