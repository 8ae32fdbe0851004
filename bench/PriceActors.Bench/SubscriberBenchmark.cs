using System.Globalization;
using System.Text.Json;

namespace PriceActors.Bench;

/// <summary>
/// Fan-out to many subscribers: for each transport a fresh embedded gateway process (Release build) whose synthetic feed
/// trades <c>--instruments</c> instruments <c>--rate</c> times a second, <c>--subscribers</c> clients from this process, each
/// on one instrument; measured from the gateway's side (CPU and memory from <c>/proc</c>) and the clients' (delivered
/// updates, tick → client latency of every eighth). The baseline, "naive", is the same gateway with a second hub that
/// sends each update to a SignalR group and nothing else (<see cref="NaiveGateway"/>), in the same sitting.
/// </summary>
internal static class SubscriberBenchmark
{
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(90);

    public static async Task<int> RunAsync(SubscriberSettings settings)
    {
        using var interrupt = new BenchInterrupt();
        var instruments = Enumerable.Range(1, settings.Instruments).Select(i => $"binance:SYN{i:D4}USDT").ToList();
        string[] arguments =
        [
            "--Logging:LogLevel:Default", "Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Information",
            "--Api:RateLimitPerSecond", "0",
            "--Feeds:Synthetic:Exchanges:0", "binance",
            "--Feeds:Synthetic:GeneratedSymbols", settings.Instruments.ToString(CultureInfo.InvariantCulture),
            // Poisson arrivals: three trades per round on average leave about one round in twenty without an update.
            "--Feeds:Synthetic:TicksPerSecond", (3 * settings.Rate).ToString(CultureInfo.InvariantCulture),
            "--Feeds:Synthetic:PublishInterval", TimeSpan.FromSeconds(1.0 / settings.Rate).ToString("c", CultureInfo.InvariantCulture),
        ];
        var logs = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"priceactors-bench-{Guid.NewGuid().ToString("N")[..8]}")).FullName;
        Console.WriteLine($"subscribers: {settings.Subscribers} subscribers on {settings.Instruments} instruments x {settings.Rate} updates/s; transports {string.Join(", ", settings.Transports)}; logs in {logs}");
        var results = new List<SubscriberResult>();
        try
        {
            foreach (var transport in settings.Transports)
            {
                results.Add(await RunOneAsync(transport, settings, instruments, arguments, logs, interrupt.Token));
                Console.WriteLine(results[^1]);
            }
        }
        catch (OperationCanceledException) when (interrupt.Interrupted)
        {
            Console.Error.WriteLine("subscribers: interrupted");
            return 130;
        }

        Console.WriteLine();
        Console.WriteLine($"subscriber benchmark: {settings.Subscribers} subscribers, {settings.Instruments} instruments x {settings.Rate}/s, {Environment.ProcessorCount} cores, .NET {Environment.Version}; {settings.Seconds} s after {settings.Warmup} s");
        Console.WriteLine("| transport | offered/s (per instrument, summed) | delivered/s | of what was offered to each subscriber | p50 ms | p99 ms | gateway CPU s | µs CPU per delivered | KB per connection | failed |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            Console.WriteLine(r.Row());
        }

        if (results.FirstOrDefault(r => r.Transport == "naive") is { } naive)
        {
            Console.WriteLine();
            Console.WriteLine("ratios to naive (delivered/s higher is better; latency, CPU per update and memory lower is better):");
            foreach (var r in results.Where(r => r != naive))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {r.Transport}: delivered {Ratio(r.Delivered, naive.Delivered)}, p50 {Ratio(r.P50, naive.P50)}, p99 {Ratio(r.P99, naive.P99)}, CPU/update {Ratio(r.MicrosPerUpdate, naive.MicrosPerUpdate)}, memory/connection {Ratio(r.KilobytesPerConnection, naive.KilobytesPerConnection)}"));
            }
        }

        return 0;
    }

    private static string Ratio(double value, double baseline) => baseline > 0 ? (value / baseline).ToString("F2", CultureInfo.InvariantCulture) : "n/a";

    private static async Task<SubscriberResult> RunOneAsync(string transport, SubscriberSettings settings, IReadOnlyList<string> instruments, string[] arguments, string logs, CancellationToken cancellationToken)
    {
        var siloPort = BenchProcess.FreePort().ToString(CultureInfo.InvariantCulture);
        await using var gateway = transport == "naive"
            ? BenchProcess.Start("naive-" + siloPort, BenchRepository.BenchDll, ["naive-gateway", "--Orleans:SiloPort", siloPort, .. arguments], logs)
            : BenchProcess.Start($"{transport}-{siloPort}", BenchRepository.GatewayDll, ["--Orleans:SiloPort", siloPort, .. arguments], logs);
        await gateway.WaitReadyAsync(StartPatience, cancellationToken);
        await WaitForPricesAsync(gateway.Address, instruments.Count, cancellationToken);
        var before = ProcessStats.ResidentBytes(gateway.Id);
        await using var load = await SubscriberLoad.ConnectAsync(transport, gateway.Address, instruments, settings.Subscribers, cancellationToken);
        await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken);
        var connected = ProcessStats.ResidentBytes(gateway.Id);
        await Task.Delay(TimeSpan.FromSeconds(settings.Warmup), cancellationToken);

        var cpu = ProcessStats.CpuSeconds(gateway.Id);
        load.Start();
        await Task.Delay(TimeSpan.FromSeconds(settings.Seconds), cancellationToken);
        load.Stop();
        var used = ProcessStats.CpuSeconds(gateway.Id) - cpu;
        var after = ProcessStats.ResidentBytes(gateway.Id);

        var delivered = load.Clients.Sum(c => c.Count);
        var offered = load.Clients.GroupBy(c => c.Instrument).Sum(g => g.Max(c => c.Count));
        var expected = load.Clients.GroupBy(c => c.Instrument).Sum(g => g.Max(c => c.Count) * (double)g.Count());
        var latencies = load.Clients.SelectMany(c => c.Latencies).Order().ToList();
        var dropped = load.Clients.Count(c => c.Failure is not null);
        Console.WriteLine($"subscribers: {transport}: {gateway.Name} {await gateway.StopAsync(TimeSpan.FromSeconds(30))}");
        return new SubscriberResult(
            transport,
            settings.Subscribers,
            load.Failed + dropped,
            offered / (double)settings.Seconds,
            delivered / (double)settings.Seconds,
            expected > 0 ? delivered / expected : 0,
            Percentile(latencies, 0.50),
            Percentile(latencies, 0.99),
            used,
            delivered > 0 ? used * 1e6 / delivered : 0,
            (connected - before) / 1024.0 / Math.Max(1, load.Clients.Count),
            after / 1024.0 / 1024.0);
    }

    private static double Percentile(List<long> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(q * sorted.Count))] / (double)TimeSpan.TicksPerMillisecond;

    private static async Task WaitForPricesAsync(Uri gateway, int count, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow + StartPatience;
        while (DateTime.UtcNow < deadline)
        {
            using var answer = JsonDocument.Parse(await http.GetStringAsync("/instruments", cancellationToken));
            if (answer.RootElement.EnumerateArray().Count(i => i.GetProperty("price").ValueKind == JsonValueKind.Number) >= count)
            {
                return;
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException("The gateway's instruments had no prices in time.");
    }

    private sealed record SubscriberResult(
        string Transport, int Subscribers, int Failed, double Offered, double Delivered, double Share, double P50, double P99, double CpuSeconds, double MicrosPerUpdate, double KilobytesPerConnection, double ResidentMegabytes)
    {
        public string Row() => string.Create(CultureInfo.InvariantCulture,
            $"| {Transport} | {Offered:F0} | {Delivered:F0} | {Share:P1} | {P50:F1} | {P99:F1} | {CpuSeconds:F1} | {MicrosPerUpdate:F1} | {KilobytesPerConnection:F1} | {Failed} |");

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"subscribers: {Transport}: offered {Offered:F0}/s, delivered {Delivered:F0}/s, p50 {P50:F1} ms, p99 {P99:F1} ms, gateway CPU {CpuSeconds:F1} s ({MicrosPerUpdate:F1} µs per delivered), {KilobytesPerConnection:F1} KB per connection, RSS {ResidentMegabytes:F0} MB, {Failed} failed");
    }
}
