using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace PriceActors.Tests.Support;

/// <summary>A cluster silo in its own process, as an operator runs it; killed with SIGKILL or stopped with SIGTERM.</summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly TaskCompletionSource<Uri> listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private SiloProcess(IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "PriceActors.Silo.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
    }

    public ConcurrentQueue<string> Log { get; } = new();

    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    /// <summary>Starts a silo on a free port and waits until it listens.</summary>
    public static async Task<SiloProcess> StartAsync(params string[] settings)
    {
        var silo = new SiloProcess(["--urls", "http://127.0.0.1:0", "--contentRoot", SiloProjectDirectory(), .. settings]);
        silo.process.Start();
        silo.process.BeginOutputReadLine();
        try
        {
            await silo.listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            // Not returned, so never disposed: don't leave the process running.
            await silo.DisposeAsync();
            throw;
        }

        return silo;
    }

    /// <summary>kill -9: no shutdown code runs, connections drop, nothing is acknowledged or flushed.</summary>
    public void Kill() => process.Kill(entireProcessTree: true);

    /// <summary>kill -TERM, as an orchestrator stops a silo; returns the exit code once the process has exited.</summary>
    public async Task<int> StopAsync(TimeSpan within)
    {
        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
            if (kill.ExitCode != 0)
            {
                throw new InvalidOperationException($"kill -TERM {process.Id} exited {kill.ExitCode}");
            }
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

    /// <summary>
    /// The Silo project's folder, so the process reads the silo's own appsettings.json (the test output holds
    /// the Gateway's) as <c>dotnet run --project Silo</c> does.
    /// </summary>
    private static string SiloProjectDirectory([CallerFilePath] string path = "")
    {
        var root = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", "..", ".."));
        var silo = Path.Combine(root, "Silo");
        return File.Exists(Path.Combine(silo, "appsettings.json")) ? silo
            : throw new InvalidOperationException($"Silo/appsettings.json not found under {root}");
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        Log.Enqueue(line);
        if (line.Contains("Now listening on", StringComparison.Ordinal))
        {
            using var json = JsonDocument.Parse(line);
            listening.TrySetResult(new Uri(json.RootElement.GetProperty("State").GetProperty("address").GetString()!));
        }
    }
}
