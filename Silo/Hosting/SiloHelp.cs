namespace PriceActors.Silo.Hosting;

/// <summary>The silo's <c>--help</c> text: how to run it and the settings that matter.</summary>
internal static class SiloHelp
{
    public const string Text = """
        PriceActors silo (cluster mode): an Orleans silo hosting pair and feed grains, on PostgreSQL.
        SIGTERM or Ctrl+C: stops the feeds it runs (another silo starts them), then leaves the cluster.

        usage: dotnet PriceActors.Silo.dll [--setting value ...]     (or the same as environment variables, ':' -> '__')
        Defaults come from appsettings.json beside the dll (--contentRoot DIR reads DIR/appsettings.json instead).

        required
          --Postgres:ConnectionString "Host=...;Port=5432;Username=...;Database=..."

        common (defaults)
          --urls http://localhost:5090        health endpoints: /health, /health/ready, /health/live
          --Orleans:ClusterId priceactors     silos and gateways of one cluster share it
          --Orleans:SiloPort 11111 --Orleans:GatewayPort 30000
          --Orleans:AdvertisedAddress 10.0.0.5   how others reach this silo (default: the first non-loopback address)
          --Orleans:StreamQueues 8            queues of the durable tick stream (pulling agents spread over the silos)
          --Orleans:StreamPollPeriod 00:00:00.020 --Orleans:TickVisibilityTimeout 00:00:05
          --Orleans:Membership:ProbeTimeout 00:00:01 --Orleans:Membership:NumMissedProbesLimit 2
          --Orleans:Membership:NumVotesForDeathDeclaration 1   a crashed silo is declared dead in a few seconds
          --Orleans:Rebalancing true            Orleans' activation rebalancer spreads the pairs over the silos
          --Pairs:WindowLength 00:15:00
          --Feeds:Synthetic:Exchanges:0 binance ...   (docs/configuration.md: the feed settings)
          --Feeds:Keeper:Interval 00:00:02    how often every silo asks each feed grain to run
          --Feeds:Mode Test                   the mode a new cluster starts in (Live: Feeds:Binance, Kraken, Coinbase,
                                              Bybit, Okx, Ndjson:Endpoints; Feeds:Proxy:Policy, :Urls)
          --Postgres:TickRetention 7          days of raw ticks kept

        Every setting with its default: docs/configuration.md; ranges are checked at start.
        """;
}
