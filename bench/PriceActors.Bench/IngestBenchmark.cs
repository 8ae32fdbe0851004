using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Streams;
using PriceActors.Grains;
using PriceActors.Grains.Instruments;
using PriceActors.Silo.Embedded;
using PriceActors.Silo.Hosting;

namespace PriceActors.Bench;

/// <summary>
/// Embedded-mode ingest: unpaced synthetic feed grains publish to the tick streams as fast as the pipeline accepts;
/// the benchmark counts what reached the update streams. Each PriceUpdated carries the instrument's
/// sequence — its count of accepted ticks — so the sum over instruments of the last sequence seen
/// is exactly the number of ticks that went feed → tick stream → pair grain → store → update stream.
/// </summary>
internal static class IngestBenchmark
{
    public static async Task<int> RunAsync(IngestSettings settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders().AddSimpleConsole().SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Feeds:Synthetic:Paced"] = settings.Rate > 0 ? "true" : "false",
            ["Feeds:Synthetic:TicksPerSecond"] = Math.Max(1.0, settings.Rate / (double)(settings.Exchanges * settings.Symbols)).ToString(CultureInfo.InvariantCulture),
            ["Feeds:Synthetic:PublishInterval"] = "00:00:00.010",
            ["Feeds:Synthetic:UnpacedBatchSize"] = settings.Batch.ToString(CultureInfo.InvariantCulture),
            ["Feeds:Synthetic:GeneratedSymbols"] = settings.Symbols.ToString(CultureInfo.InvariantCulture),
            ["Orleans:StreamQueues"] = settings.Partitions.ToString(CultureInfo.InvariantCulture),
            ["Orleans:SiloPort"] = "11311",
            ["Pairs:WindowLength"] = "00:01:00",
            ["Store:InMemory:TickRetention"] = "00:01:00",
        });
        for (var i = 0; i < settings.Exchanges; i++)
        {
            builder.Configuration[$"Feeds:Synthetic:Exchanges:{i}"] = $"ex{i + 1}";
        }

        builder.AddEmbeddedSilo();
        if (settings.Metrics)
        {
            // What every PriceActors process collects for /metrics: to measure its cost against a run without.
            builder.Services.AddPriceActorsMetrics();
        }

        using var host = builder.Build();
        var counter = new SequenceCounter();
        var instruments = host.Services.GetRequiredService<IInstrumentCatalog>().All;

        Console.WriteLine($"ingest: {settings.Exchanges} exchanges x {settings.Symbols} symbols, " +
            (settings.Rate > 0 ? $"paced at {settings.Rate:N0} ticks/s in all (published every 10 ms)" : $"unpaced batches of {settings.Batch}") + $", {settings.Partitions} stream queues, " +
            $"{Environment.ProcessorCount} cores, .NET {Environment.Version}, server GC {System.Runtime.GCSettings.IsServerGC}, /metrics collection {(settings.Metrics ? "on" : "off")}");
        await host.StartAsync();
        var updates = host.Services.GetRequiredService<IClusterClient>().GetStreamProvider(StreamNames.UpdateProvider);
        foreach (var instrument in instruments)
        {
            await updates.GetStream<IPairUpdate>(StreamNames.UpdatesOf(instrument)).SubscribeAsync(counter);
        }

        await Task.Delay(TimeSpan.FromSeconds(settings.Warmup));

        var process = Process.GetCurrentProcess();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var exchanges = Enumerable.Range(1, settings.Exchanges).Select(i => $"ex{i}").ToArray();
        var start = await Sample.TakeAsync(counter, grains, exchanges, process);
        await Task.Delay(TimeSpan.FromSeconds(settings.Seconds));
        var end = await Sample.TakeAsync(counter, grains, exchanges, process);
        await host.StopAsync();

        var seconds = (end.At - start.At).TotalSeconds;
        var deliveries = Grains.Ops.SiloActivity.Streams().Sum(a => a.Deliveries);
        var batches = Grains.Ops.SiloActivity.Pairs().Sum(a => a.Batches);
        var counted = Grains.Ops.SiloActivity.Pairs().Sum(a => a.Ticks);
        var ticks = end.Ticks - start.Ticks;
        var updateCount = end.Updates - start.Updates;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            measured {seconds:F1} s
              ticks through to the update stream: {ticks:N0}  ->  {ticks / seconds:N0} ticks/s
              ticks published by feeds:           {end.Published - start.Published:N0}
              price updates received:             {updateCount:N0}  ->  {updateCount / seconds:N0} updates/s ({(double)ticks / Math.Max(1, updateCount):F1} ticks per update)
              allocated: {(end.Allocated - start.Allocated) / (double)ticks:F1} bytes per tick
              GC: gen0 {end.Gen0 - start.Gen0}, gen1 {end.Gen1 - start.Gen1}, gen2 {end.Gen2 - start.Gen2}
              CPU: {(end.Cpu - start.Cpu).TotalSeconds / seconds:F2} cores busy
              memory at end: GC heap {end.Heap / 1048576.0:N0} MiB, working set {end.WorkingSet / 1048576.0:N0} MiB
              operations counting (whole run): {deliveries:N0} router deliveries, {batches:N0} pair batches for {counted:N0} ticks
                -> {(double)deliveries / Math.Max(1, counted):F5} and {(double)batches / Math.Max(1, counted):F5} calls per tick (bench -- ops-cost: ns per call)
            """));
        return 0;
    }

    private sealed record Sample(DateTime At, long Ticks, long Updates, long Published, long Allocated, int Gen0, int Gen1, int Gen2, TimeSpan Cpu, long Heap, long WorkingSet)
    {
        public static async Task<Sample> TakeAsync(SequenceCounter counter, IGrainFactory grains, string[] exchanges, Process process)
        {
            var feeds = await Task.WhenAll(exchanges.Select(e => grains.GetGrain<IExchangeFeedGrain>(e).GetStatusAsync()));
            process.Refresh();
            return new Sample(
                DateTime.UtcNow,
                counter.TotalTicks,
                counter.Updates,
                feeds.Sum(f => f.TicksPublished),
                GC.GetTotalAllocatedBytes(precise: true),
                GC.CollectionCount(0),
                GC.CollectionCount(1),
                GC.CollectionCount(2),
                process.TotalProcessorTime,
                GC.GetTotalMemory(forceFullCollection: false),
                process.WorkingSet64);
        }
    }

    /// <summary>Keeps the last sequence of every instrument; their sum is the ticks accepted.</summary>
    private sealed class SequenceCounter : IAsyncObserver<IPairUpdate>
    {
        private readonly ConcurrentDictionary<(string, string), StrongBox<long>> last = new();
        private long updates;

        public long TotalTicks => last.Values.Sum(b => Volatile.Read(ref b.Value));

        public long Updates => Interlocked.Read(ref updates);

        public Task OnNextAsync(IPairUpdate item, StreamSequenceToken? token = null)
        {
            if (item is PriceUpdated update)
            {
                var box = last.GetOrAdd((update.Exchange, update.Symbol), static _ => new StrongBox<long>());
                Volatile.Write(ref box.Value, update.Sequence);
                Interlocked.Increment(ref updates);
            }

            return Task.CompletedTask;
        }

        public Task OnCompletedAsync() => Task.CompletedTask;

        public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
    }
}
