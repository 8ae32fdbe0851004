using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace PriceActors.Bench;

/// <summary>
/// The cluster on the real PostgreSQL (<c>PRICEACTORS_POSTGRES</c>, a fresh database per run): silo processes and a
/// gateway process from the Release build, the bench as the exchange feed (an Orleans client publishing to the durable
/// tick streams) and as a hub and REST client of the gateway. In one run: tick → gateway latency at a paced rate
/// (<see cref="LatencyRun"/>, first, on the fresh database whose sequences it relies on), then ingest as fast as the
/// cluster makes ticks durable (<see cref="IngestRun"/>), then REST req/s once those ticks are durable
/// (<see cref="RestLoad"/>).
/// </summary>
internal static class ClusterBenchmark
{
    public const double IngestTarget = 100_000;

    public static async Task<int> RunAsync(ClusterSettings settings)
    {
        var server = Environment.GetEnvironmentVariable("PRICEACTORS_POSTGRES");
        if (string.IsNullOrEmpty(server))
        {
            Console.Error.WriteLine("cluster: start PostgreSQL first: eval \"$(PRICEACTORS_DURABLE=1 scripts/servers.sh start)\"");
            return 2;
        }

        try
        {
            _ = (BenchRepository.SiloDll, BenchRepository.GatewayDll);
        }
        catch (InvalidOperationException missing)
        {
            Console.Error.WriteLine($"cluster: {missing.Message}");
            return 2;
        }

        using var interrupt = new BenchInterrupt();
        var catalog = new BenchCatalog(settings.Exchanges, settings.Symbols);
        var durability = await DurabilityAsync(server);
        Console.WriteLine($"cluster: starting {settings.Silos} silos and a gateway ({catalog}) on a fresh database, PostgreSQL {durability}");
        var startup = Stopwatch.StartNew();
        BenchCluster? cluster = null;
        LatencyResult latency;
        IngestResult ingest;
        RestResult rest;
        TimeSpan? latencyDrained;
        try
        {
            cluster = await BenchCluster.StartAsync(server, settings, catalog, interrupt.Token);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"cluster: ready in {startup.Elapsed.TotalSeconds:F1} s; logs in {cluster.LogDirectory}"));
            Console.WriteLine($"cluster: b. latency run ({settings.Warmup} s warm-up + {settings.Seconds} s)");
            latency = await LatencyRun.RunAsync(cluster, settings, interrupt.Token);
            latencyDrained = await cluster.DrainAsync(TimeSpan.FromSeconds(60), interrupt.Token);
            Console.WriteLine($"cluster: a. ingest run ({settings.Warmup} s warm-up + {settings.Seconds} s, then until every tick is durable)");
            ingest = await IngestRun.RunAsync(cluster, settings, interrupt.Token);
            Console.WriteLine($"cluster: c. REST run ({settings.Warmup} s warm-up + {settings.Seconds} s)");
            rest = await RestLoad.RunAsync(cluster.Gateway.Address, catalog.Instruments, settings.Connections, settings.Warmup, settings.Seconds, cluster.Cpu(), interrupt.Token);
        }
        catch (OperationCanceledException) when (interrupt.Interrupted)
        {
            Console.Error.WriteLine("cluster: interrupted, no figures");
            return 130;
        }
        finally
        {
            if (cluster is not null)
            {
                await cluster.DisposeAsync();
            }
        }

        Print(settings, catalog, durability, cluster!, (latency, latencyDrained), ingest, rest);
        return 0;
    }

    private static void Print(
        ClusterSettings s, BenchCatalog catalog, string durability, BenchCluster cluster, (LatencyResult Result, TimeSpan? Drained) latencyRun, IngestResult ingest, RestResult rest)
    {
        var latency = latencyRun.Result;
        var f = latency.Figures;
        string Ms(TickLatencies.Distribution d) => string.Create(CultureInfo.InvariantCulture, $"p50 {d.Percentile(0.5):F1} ms, p99 {d.Percentile(0.99):F1} ms, max {d.Percentile(1):F1} ms");
        string Drain(TimeSpan? drained, string otherwise) => drained is { } d ? FormattableString.Invariant($"every tick durable {d.TotalSeconds:F1} s after the feed stopped") : otherwise;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

            cluster benchmark: {s.Silos} silo processes + 1 gateway process, {catalog}, {s.Queues} tick stream queues (ADO.NET streams in PostgreSQL),
              {Environment.ProcessorCount} cores, .NET {Environment.Version}, PostgreSQL {durability}, feed client pool {s.FeedConnections} connections; each run {s.Seconds} s after {s.Warmup} s of warm-up; logs: {cluster.LogDirectory}
            a. cluster ingest (feed -> tick streams -> PairGrain -> PostgreSQL), batches of {s.Batch} ticks, at most {s.InFlight} in flight (one per instrument at a time),
               feed held while more than {(s.Backlog == 0 ? "any number of (no bound)" : s.Backlog.ToString("N0", CultureInfo.InvariantCulture))} ticks ahead of durable (checked every 100 ms; batches in flight come on top):
                 durable {ingest.Durable:N0} ticks/s (target >= {IngestTarget:N0}: {(ingest.Durable >= IngestTarget ? "met" : "not met")}), offered {ingest.Offered:N0} ticks/s over {ingest.Seconds:F1} s
                 feed ahead of durable at the end: {ingest.AheadAtEnd:N0} ticks; held back by the backlog bound in {ingest.BacklogWaits} checks of 100 ms (warm-up included); {Drain(ingest.Drained, $"{ingest.Undrained:N0} ticks still not durable 120 s after the feed stopped")}
                 CPU: {ingest.Cpu}
            b. tick -> gateway latency, {latency.Offered:N0} ticks/s published (asked {s.Rate:N0}), each instrument's due ticks published every {s.Interval} ms, one SignalR connection subscribed to all {catalog.Instruments.Count}:
                 every tick: {Ms(f.EveryTick)} ({f.TicksCovered:N0} of the {f.TicksPublished:N0} ticks published in {latency.Seconds:F1} s reached the hub client{(latency.CaughtUp ? "" : "; the rest had not arrived 30 s after the feed stopped")})
                 each update by its newest tick: {Ms(f.PerUpdate)} ({f.PerUpdate.Weight:N0} updates; {latency.Updates:N0} received in the whole run)
                 each batch's publish call (the insert into the tick stream, part of the above): {Ms(f.Publish)} ({f.Publish.Weight:N0} batches)
                 ticks published but not yet stored by their pairs (sampled every 250 ms): max {latency.NotDurable.Max:N0}, mean {latency.NotDurable.Mean:N0}
                 cold start: every instrument's first tick reached the hub client {latency.Primed.TotalSeconds:F1} s after it was published, before the warm-up
                 {(f.Mismatched == 0 ? "sequences matched the trade ids" : $"{f.Mismatched:N0} updates had a sequence past every trade published: the matching is off")}{(latency.HubFailure is null ? "" : $"; the hub connection failed: {latency.HubFailure}")}; {Drain(latencyRun.Drained, "not every tick durable 60 s after the feed stopped")}
                 CPU: {latency.Cpu}
            c. REST GET {"/prices/latest/{exchange}/{symbol}"} on the gateway, {s.Connections} concurrent loops over the {catalog.Instruments.Count} instruments, no ticks flowing:
                 {rest}
                 CPU: {rest.Cpu}
            PostgreSQL connections: at most {cluster.PeakConnections.Database} to the run's database, {cluster.PeakConnections.Server} to the server (checked every 0.5 s)
            errors logged from ready to exit: {string.Join(", ", cluster.ErrorsSinceReady)}
            stopped: {string.Join("; ", cluster.Stopped)}
            """));
    }

    private static async Task<string> DurabilityAsync(string server)
    {
        await using var source = NpgsqlDataSource.Create(server);
        await using var command = source.CreateCommand(
            "SELECT current_setting('fsync') || ' ' || current_setting('synchronous_commit') || ' ' || current_setting('max_connections') || ' ' || version()");
        var answer = ((string)(await command.ExecuteScalarAsync())!).Split(' ');
        return $"{answer[4]} (fsync {answer[0]}, synchronous_commit {answer[1]}, max_connections {answer[2]})";
    }
}
