using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace PriceActors.Tests.Support;

/// <summary>A gateway in its own process, as an operator runs it (e.g. <c>--PriceActors:Mode Cluster</c>); stopped with SIGTERM or killed.</summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly TaskCompletionSource<JsonElement> started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GatewayProcess(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PriceActors.Gateway.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
    }

    public ConcurrentQueue<string> Log { get; } = new();

    /// <summary>The base address it listens on.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>The <c>State</c> of its one-line startup report (mode, backends, urls).</summary>
    public JsonElement StartupReport { get; private set; }

    public int ExitCode => process.ExitCode;

    /// <summary>Starts a gateway on a free port and waits for its startup report.</summary>
    public static async Task<GatewayProcess> StartAsync(params string[] settings)
    {
        var gateway = new GatewayProcess(["--urls", "http://127.0.0.1:0", .. settings]);
        gateway.process.Start();
        gateway.process.BeginOutputReadLine();
        try
        {
            gateway.StartupReport = await gateway.started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            // Not returned, so never disposed: don't leave the process running.
            await gateway.DisposeAsync();
            throw;
        }

        gateway.Address = new Uri(gateway.StartupReport.GetProperty("Urls").GetString()!.Split(' ')[0]);
        return gateway;
    }

    /// <summary>SIGTERM, then waits for the process to exit; returns its exit code.</summary>
    public async Task<int> StopAsync(TimeSpan within)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await process.WaitForExitAsync().WaitAsync(within);
        return process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        Log.Enqueue(line);
        if (line.Contains("PriceActors started", StringComparison.Ordinal))
        {
            using var json = JsonDocument.Parse(line);
            started.TrySetResult(json.RootElement.GetProperty("State").Clone());
        }
    }
}
