namespace PriceActors.Silo.Hosting;

/// <summary>The silo's <c>--help</c> text: how to run it and the settings that matter.</summary>
internal static class SiloHelp
{
    public const string Text = """
        PriceActors silo (cluster mode): owns a share of the tick partitions, runs elected feeds.
        SIGTERM or Ctrl+C: stops its feeds, hands every partition over (in-flight batches finished and acked), leaves.

        usage: dotnet PriceActors.Silo.dll [--setting value ...]     (or the same as environment variables, ':' -> '__')
        Defaults come from appsettings.json beside the dll (--contentRoot DIR reads DIR/appsettings.json instead).

        required
          --Postgres:ConnectionString "Host=...;Port=5432;Username=...;Database=..."
          --RabbitMq:Uri amqp://user:password@host:5672/

        common (defaults)
          --urls http://127.0.0.1:5090        health endpoints: /health, /health/ready, /health/live
          --Streams:PartitionCount 8          every process of a cluster must agree
          --Pairs:WindowLength 00:15:00
          --Cluster:RunFeeds true             take part in the feed election
          --Feeds:Synthetic:Exchanges:0 binance ...   (see README for the feed settings)
          --Feeds:Election:LeaseDuration 00:00:10
          --Membership:HeartbeatInterval 00:00:02 --Membership:DeadAfter 00:00:10
          --Cluster:Balancing:Enabled true    hand partitions beyond the fair share ceil(partitions / live silos) over
          --Cluster:Balancing:Interval 00:00:01 --Cluster:Balancing:MaxReleasesPerRound 2
          --Cluster:Balancing:ResubscribeDelay 00:00:00.2   then queue up again as a standby
          --Cluster:Balancing:LiveWithin 00:00:05           heartbeat age under which a silo counts as live
          --Cluster:Balancing:CeilingReleaseCooldown 00:00:05   uneven shares: one hand-over per period
          --Cluster:Probes:Interval 00:00:02  ownership probes: an idle partition's owner knows within one interval
          --RabbitMq:Prefix priceactors       names of queues and exchanges
          --RabbitMq:UpdateFlushInterval 00:00:00.005 --RabbitMq:UpdateInstrumentsPerMessage 64   updates to the gateways
          --Postgres:TickRetention 7          days of raw ticks kept
          --Postgres:TickRowLayout Packed     Arrays while upgrading from a release before schema version 5

        Every setting, its default and range is documented on its options class (README: Configuration).
        """;
}
