using PriceActors.Bench;

if (args.Contains("naive-gateway"))
{
    return await NaiveGateway.RunAsync([.. args.Where(a => a != "naive-gateway")]);
}

return args.FirstOrDefault() switch
{
    "subscribers" => await SubscriberBenchmark.RunAsync(SubscriberSettings.Parse(args.Skip(1).ToArray())),
    "ingest" => await IngestBenchmark.RunAsync(IngestSettings.Parse(args.Skip(1).ToArray())),
    "cluster" => await ClusterBenchmark.RunAsync(ClusterSettings.Parse(args.Skip(1).ToArray())),
    "rest" => await RestBenchmark.RunAsync(RestSettings.Parse(args.Skip(1).ToArray())),
    "ops-cost" => OpsCostBenchmark.Run([.. args.Skip(1)]),
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
          --metrics 1      collect the meters /metrics shows (OpenTelemetry), to compare with a run without
        Synthetic ticks flow ExchangeFeedGrain -> tick stream -> PairGrains -> update streams, in embedded
        mode (Orleans memory streams, in-memory store), as fast as the streams take them.

        usage: dotnet build -c Release && eval "$(PRICEACTORS_DURABLE=1 scripts/servers.sh start)"
               dotnet run -c Release --project bench/PriceActors.Bench -- cluster [options]
          --seconds N      measured time of each run (default 20), after --warmup N seconds (default 5)
          --silos N        silo processes (default 2); one cluster gateway process besides
          --exchanges N    exchanges (default 3) x --symbols N symbols (default 200): the instruments
          --queues N       queues of the durable tick stream (default 8)
          --batch N        ingest: ticks per published batch (default 100)
          --in-flight N    ingest: batches in flight in all (default 0: one per instrument at a time)
          --backlog N      ingest: ticks the feed may be ahead of the durable ones (default 200000; 0: no bound)
          --rate N         latency: ticks/s offered over all instruments (default 20000)
          --interval N     latency: ms between an instrument's batches (default 50)
          --connections N  REST: concurrent request loops (default 32)
          --feed-connections N  PostgreSQL connections of the bench's feed client (default 32)
        Starts the silos (feeds off) and the gateway from the Release build on a fresh database of
        PRICEACTORS_POSTGRES; the bench publishes ticks to the durable tick streams as an Orleans client. Measures
        tick -> gateway latency over SignalR at the paced rate, then durable ticks/s as fast as the cluster
        takes them, then REST req/s; stops the processes with SIGTERM and drops the database.

        usage: dotnet run -c Release --project bench/PriceActors.Bench -- rest [--process] [options]
          --process        the gateway as a process (Gateway/bin/Release, so build first); default: in this process
          --seconds N      measured time (default 20), after --warmup N seconds (default 5)
          --exchanges N    exchanges (default 3) x --symbols N symbols (default 200)
          --connections N  concurrent request loops (default 32)
        REST req/s and latency of GET /prices/latest/{exchange}/{symbol} on an embedded gateway.

        usage: dotnet build -c Release && dotnet run -c Release --no-build --project bench/PriceActors.Bench -- subscribers [options]
          --subscribers N  clients (default 10000), each on one instrument
          --instruments N  synthetic instruments (default 50), each trading --rate N times a second (default 10)
          --seconds N      measured time of each transport (default 15), after --warmup N seconds (default 5)
          --transports L   comma-separated, from naive,signalr,websocket,sse (default all)
        For each transport a fresh embedded gateway process; "naive" is the same gateway with a second hub that sends
        each update to a SignalR group. Reports delivered/s, tick -> client p50/p99, gateway CPU per delivered update
        and memory per connection, and the ratios to naive.

        usage: dotnet run -c Release --project bench/PriceActors.Bench -- ops-cost [CALLS, default 20000000]
        CPU nanoseconds per call of what the operations view counts on the hot path (a router's delivery, a pair's
        batch), on one thread and on every core at once, three rounds.
        """);
    return 2;
}
