using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace PriceActors.Tests.Support;

/// <summary>
/// A PriceActors process (silo or gateway) as an operator runs it: started from this test run's output, its JSON
/// log lines captured, ready once a given line is logged; stopped with SIGTERM or killed with SIGKILL.
/// </summary>
public abstract class ServiceProcess : IAsyncDisposable
{
    private readonly Process process;
    private readonly string readyMarker;
    private readonly TaskCompletionSource<JsonElement> ready = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Prepares <paramref name="dll"/> with <paramref name="arguments"/>; nothing runs until <see cref="RunUntilReadyAsync"/>.</summary>
    protected ServiceProcess(string dll, string readyMarker, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, WorkingDirectory = AppContext.BaseDirectory };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        this.readyMarker = readyMarker;
        process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
    }

    public ConcurrentQueue<string> Log { get; } = new();

    public int ProcessId => process.Id;

    public bool HasExited => process.HasExited;

    public int ExitCode => process.ExitCode;

    /// <summary>kill -9: no shutdown code runs, connections drop, nothing is acknowledged or flushed.</summary>
    public void Kill() => process.Kill(entireProcessTree: true);

    /// <summary>kill -TERM, as an orchestrator stops a process; returns the exit code once the process has exited.</summary>
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
        GC.SuppressFinalize(this);
    }

    /// <summary>Starts the process and returns the <c>State</c> of its ready line; a process that is not ready within a minute is killed.</summary>
    protected async Task<JsonElement> RunUntilReadyAsync()
    {
        process.Start();
        process.BeginOutputReadLine();
        try
        {
            return await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            // The caller gets no object to dispose: don't leave the process running.
            await DisposeAsync();
            throw;
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        Log.Enqueue(line);
        if (line.Contains(readyMarker, StringComparison.Ordinal))
        {
            using var json = JsonDocument.Parse(line);
            ready.TrySetResult(json.RootElement.GetProperty("State").Clone());
        }
    }
}
