using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using PriceActors.Gateway;
using PriceActors.Grains;

namespace PriceActors.Bench;

/// <summary>
/// REST req/s (<see cref="RestLoad"/>) against an embedded gateway (its own silo, synthetic feeds at their default
/// pace, the in-memory store) started in this process with <see cref="PriceGateway.Build"/>, or with
/// <c>--process</c> as a process from the Release build: the same measurement as the cluster benchmark's, to compare.
/// </summary>
internal static class RestBenchmark
{
    private static readonly TimeSpan StartPatience = TimeSpan.FromSeconds(90);

    public static async Task<int> RunAsync(RestSettings settings)
    {
        using var interrupt = new BenchInterrupt();
        var catalog = new BenchCatalog(settings.Exchanges, settings.Symbols);
        string[] arguments =
        [
            // Quiet, as the in-process gateway logs to the bench's console: the categories appsettings.json raises too.
            "--Logging:LogLevel:Default", "Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime", "Warning",
            "--Logging:LogLevel:Orleans.Runtime.Silo", "Warning",
            "--Logging:LogLevel:Orleans.Hosting", "Warning",
            "--Orleans:SiloPort", BenchProcess.FreePort().ToString(CultureInfo.InvariantCulture),

            // The load comes from one address; the gateway's per-address limit would measure itself.
            "--Api:RateLimitPerSecond", "0",
            .. catalog.Arguments,
        ];
        var mode = settings.AsProcess ? "a gateway process (dotnet Gateway/bin/Release/net10.0/PriceActors.Gateway.dll)" : "a gateway in this process (PriceGateway.Build)";
        Console.WriteLine($"rest: starting {mode}, embedded mode, {catalog}");
        RestResult result;
        try
        {
            await using var gateway = await StartAsync(settings.AsProcess, arguments, interrupt.Token);
            await WaitForPricesAsync(gateway.Address, catalog.Instruments, interrupt.Token);
            var cpu = gateway.Process is { } process ? new CpuAccount(("bench", Environment.ProcessId), ("gateway", process.Id)) : new CpuAccount(("bench + gateway", Environment.ProcessId));
            result = await RestLoad.RunAsync(gateway.Address, catalog.Instruments, settings.Connections, settings.Warmup, settings.Seconds, cpu, interrupt.Token);
        }
        catch (OperationCanceledException) when (interrupt.Interrupted)
        {
            Console.Error.WriteLine("rest: interrupted, no figures");
            return 130;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

            rest benchmark: {mode}, embedded mode (silo in the gateway, memory streams, in-memory store, synthetic feeds at their default pace),
              {catalog}, {Environment.ProcessorCount} cores, .NET {Environment.Version}; {settings.Seconds} s after {settings.Warmup} s of warm-up
            GET {"/prices/latest/{exchange}/{symbol}"}, {settings.Connections} concurrent loops over the {catalog.Instruments.Count} instruments:
              {result}
              CPU: {result.Cpu}
            """));
        return 0;
    }

    private static async Task<RunningGateway> StartAsync(bool asProcess, string[] arguments, CancellationToken cancellationToken)
    {
        if (asProcess)
        {
            var logs = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), $"priceactors-bench-{Guid.NewGuid().ToString("N")[..8]}")).FullName;
            var process = BenchProcess.Start("gateway", BenchRepository.GatewayDll, arguments, logs);
            Console.WriteLine($"rest: gateway log {process.LogPath}");
            var running = new RunningGateway(process.Address, process, null);
            try
            {
                await process.WaitReadyAsync(StartPatience, cancellationToken);
                return running;
            }
            catch
            {
                await running.DisposeAsync();
                throw;
            }
        }

        var address = new Uri($"http://127.0.0.1:{BenchProcess.FreePort()}");
        var app = PriceGateway.Build(["--urls", address.ToString().TrimEnd('/'), "--contentRoot", Path.Combine(BenchRepository.Root, "Gateway"), .. arguments]);
        var started = new RunningGateway(address, null, app);
        try
        {
            await app.StartAsync(cancellationToken);
            return started;
        }
        catch
        {
            await started.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits until <c>GET /instruments</c> has a price for every instrument: the REST run asks for them all.</summary>
    private static async Task WaitForPricesAsync(Uri gateway, IReadOnlyList<InstrumentKey> instruments, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = gateway, Timeout = TimeSpan.FromSeconds(10) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            using var answer = JsonDocument.Parse(await http.GetStringAsync("/instruments", cancellationToken));
            var priced = answer.RootElement.EnumerateArray().Count(i => i.GetProperty("price").ValueKind == JsonValueKind.Number);
            if (priced >= instruments.Count)
            {
                return;
            }

            if (waited.Elapsed > StartPatience)
            {
                throw new TimeoutException($"Only {priced} of {instruments.Count} instruments had a price {StartPatience.TotalSeconds:F0} s after the start.");
            }

            await Task.Delay(200, cancellationToken);
        }
    }

    private sealed record RunningGateway(Uri Address, BenchProcess? Process, WebApplication? App) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (Process is not null)
            {
                Console.WriteLine("rest: " + await Process.StopAsync(TimeSpan.FromSeconds(30)));
                await Process.DisposeAsync();
            }

            if (App is not null)
            {
                await App.StopAsync();
                await App.DisposeAsync();
            }
        }
    }
}
