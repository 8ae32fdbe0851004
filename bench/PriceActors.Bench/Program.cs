using PriceActors.Bench;

return args.FirstOrDefault() switch
{
    "ingest" => await IngestBenchmark.RunAsync(IngestSettings.Parse(args.Skip(1).ToArray())),
    "cluster-feed" when args.Length == 4 => await LatencyClient.RunFeedAsync(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture)),
    "cluster-gateway" when args.Length == 3 => await LatencyClient.RunGatewayAsync(args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture)),
    "probe-scheduler" => SchedulerProbe.Run(),
    "cluster" => await ClusterBenchmark.RunAsync(seconds: 10, pacedRate: args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 20_000),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: dotnet run -c Release --project bench/PriceActors.Bench -- ingest [options]
               eval "$(scripts/servers.sh start)"; dotnet run -c Release --project bench/PriceActors.Bench -- cluster [ticks/s for the latency run, default 20000]
          --seconds N      measured time (default 10), after --warmup N seconds (default 3)
          --exchanges N    synthetic exchanges (default 3)
          --symbols N      symbols per exchange (default 5)
          --batch N        ticks per published batch (default 256)
          --queues N       queues of each memory stream provider (default 4)
          --rate N         paced feeds offering N ticks/s in all (default 0: unpaced, as fast as the streams take)
        Synthetic ticks flow ExchangeFeedGrain -> tick stream -> PairGrains -> update streams, in embedded
        mode (Orleans memory streams, in-memory store), as fast as the streams take them.
        """);
    return 2;
}
