namespace PriceActors.Gateway.Hosting;

/// <summary>The gateway's <c>--help</c> text: how to run it in each mode and the settings that matter.</summary>
internal static class GatewayHelp
{
    public const string Text = """
        PriceActors gateway: REST API, SignalR hub /hubs/prices, the live page and /health.

        usage: dotnet PriceActors.Gateway.dll [--setting value ...]   (or environment variables, ':' -> '__')

        --PriceActors:Mode Embedded (default)   one process: co-hosts the silo, in-memory bus and store, synthetic feeds
        --PriceActors:Mode Cluster              stateless gateway of a cluster: asks the silos' actors over RabbitMQ,
                                                subscribes to their updates; runs no actors, feeds or store itself

        common (defaults)
          --urls http://localhost:5080
          --Pairs:WindowLength 00:15:00         longest /prices/stats period; must match the silos
          --Feeds:Synthetic:Exchanges:0 binance ...   the instruments (in cluster mode: the silos' feed settings)

        cluster mode
          --RabbitMq:Uri amqp://user:password@host:5672/   required
          --RabbitMq:Prefix priceactors         names of queues and exchanges; the silos' own
          --Streams:PartitionCount 8            every process of a cluster must agree
          --RabbitMq:Requests:RequestTimeout 00:00:05      reply wait and request time-to-live; 503 after it
          --RabbitMq:Requests:MaxPendingRequests 10000     more in flight fail at once with 503
          --RabbitMq:Heartbeat 00:00:05 --RabbitMq:NetworkRecoveryInterval 00:00:02

        embedded mode
          --Feeds:Synthetic:TicksPerSecond 5 --Actors:RequestTimeout 00:00:05 --Streams:PartitionCount 8

        Every setting, its default and range is documented on its options class (README: Configuration).
        """;

    /// <summary>Whether the arguments ask for the help text.</summary>
    /// <param name="args">Command-line arguments.</param>
    public static bool Requested(string[] args) => args.Contains("--help") || args.Contains("-h");
}
