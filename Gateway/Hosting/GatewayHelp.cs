namespace PriceActors.Gateway.Hosting;

/// <summary>The gateway's <c>--help</c> text: how to run it in each mode and the settings that matter.</summary>
internal static class GatewayHelp
{
    public const string Text = """
        PriceActors gateway: REST API, SignalR hub /hubs/prices, the live page and /health.

        usage: dotnet PriceActors.Gateway.dll [--setting value ...]   (or environment variables, ':' -> '__')

        --PriceActors:Mode Embedded (default)   one process: co-hosts an Orleans silo (localhost clustering, memory streams
                                                and store), synthetic feeds
        --PriceActors:Mode Cluster              stateless gateway of a cluster: an Orleans client of the silos; runs no
                                                grains, feeds or store itself

        common (defaults)
          --urls http://localhost:5080         the page, the API, /hubs/prices, /dashboard (Orleans Dashboard), /health
          --Pairs:WindowLength 00:15:00         longest /prices/stats period; must match the silos
          --Feeds:Synthetic:Exchanges:0 binance ...   the instruments (in cluster mode: the silos' feed settings)
          --Feeds:Mode Test                     Test: synthetic feeds; Live: the exchanges (Feeds:Binance:Url, :Symbols ...)
          --Admin:Key <secret>                  enables POST /mode/test|live and /proxy/... (header X-Admin-Key)

        cluster mode
          --Postgres:ConnectionString "Host=...;Database=..."   required: the silos' database (membership table)
          --Orleans:ClusterId priceactors       the silos' own
          --Orleans:GatewayListRefreshPeriod 00:00:05 --Orleans:ConnectRetryDelay 00:00:01

        embedded mode
          --Feeds:Synthetic:TicksPerSecond 5 --Orleans:SiloPort 11111 --Orleans:StreamQueues 4

        Every setting with its default: docs/configuration.md; ranges are checked at start.
        """;

    /// <summary>Whether the arguments ask for the help text.</summary>
    /// <param name="args">Command-line arguments.</param>
    public static bool Requested(string[] args) => args.Contains("--help") || args.Contains("-h");
}
