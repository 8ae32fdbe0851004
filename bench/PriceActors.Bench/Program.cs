using PriceActors.Bench;

return args.FirstOrDefault() switch
{
    "ingest" => await IngestBenchmark.RunAsync(IngestSettings.Parse(args.Skip(1).ToArray())),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: dotnet run -c Release --project bench/PriceActors.Bench -- ingest [options]
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
